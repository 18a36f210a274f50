package org.experimenter.web;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.experimenter.FieldType;
import org.experimenter.artifacts.ArtifactRoot;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.store.ArtifactRows;
import org.experimenter.store.ExperimentStore;
import org.experimenter.store.PageReads;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.ViewBox;

/**
 * One row: every column, its attempts from {@code <table>__attempts}, and each log table's rows
 * with a curve of one numeric column against another (loss per epoch), one line per attempt.
 */
final class RowView {
    /** The most log rows sent to the page and drawn, per log table. */
    static final int MAX_LOG_ROWS = 20_000;

    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd)
    };

    private final ExperimentConfig config;
    private final PageReads pages;
    private final ArtifactRows artifacts;

    RowView(ExperimentStore store) {
        this.config = store.config();
        this.pages = store.pages();
        this.artifacts = store.artifacts();
    }

    /** {@code /api/row?id=N}. */
    void row(Http h) throws IOException {
        long id = id(h);
        Map<String, Object> row = only(id);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("row", row);
        out.put("attempts", pages.attemptsOf(id));
        out.put("artifacts", artifacts.of(id));
        List<Map<String, Object>> logs = new ArrayList<>();
        for (Map.Entry<String, Map<String, FieldType>> l : config.logtables().entrySet()) {
            List<Map<String, Object>> rows = pages.logRows(l.getKey(), id, MAX_LOG_ROWS + 1);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", l.getKey());
            List<Map<String, String>> cols = new ArrayList<>();
            l.getValue().forEach((c, t) -> cols.add(Map.of("name", c, "type", t.configName())));
            m.put("columns", cols);
            m.put("truncated", rows.size() > MAX_LOG_ROWS);
            m.put("rows", rows.size() > MAX_LOG_ROWS ? rows.subList(0, MAX_LOG_ROWS) : rows);
            logs.add(m);
        }
        out.put("logtables", logs);
        h.json(200, out);
    }

    /** The largest artifact the web view sends. */
    static final long MAX_ARTIFACT_BYTES = 32L * 1024 * 1024;

    /**
     * {@code /api/row/artifact?id=N&attempt=A&path=model.txt}: one file of {@code
     * <table>__artifacts}, as a download; only files listed there, read under the root.
     */
    void artifact(Http h) throws IOException {
        long id = id(h);
        int attempt = h.intParam("attempt", -1);
        String path = h.param("path");
        ArtifactRoot root = config.artifactRoot();
        if (root == null) {
            throw new Http.Failure(404, "the config sets no artifacts.root");
        }
        Map<String, Object> listed = artifacts.of(id).stream()
                .filter(a -> ((Number) a.get("attempt")).intValue() == attempt
                        && a.get("path").equals(path))
                .findFirst()
                .orElseThrow(() -> new Http.Failure(
                        404, "experiment " + id + " lists no artifact " + path + " of attempt " + attempt));
        if (((Number) listed.get("bytes")).longValue() > MAX_ARTIFACT_BYTES) {
            throw new Http.Failure(413, path + " is larger than the web view sends (" + MAX_ARTIFACT_BYTES + " bytes)");
        }
        byte[] body;
        try {
            body = root.read(config.table(), id, attempt, path, MAX_ARTIFACT_BYTES);
        } catch (IllegalArgumentException | java.nio.file.NoSuchFileException | java.io.FileNotFoundException e) {
            throw new Http.Failure(
                    404,
                    "cannot send " + path + ": "
                            + (e instanceof IllegalArgumentException ? e.getMessage() : "no such file"));
        }
        String name = path.substring(path.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9._-]", "_");
        h.sendFile(name, body);
    }

    /** {@code /api/row/log.svg?id=N&table=epochs&x=epoch&y=loss}: the curve, one line per attempt. */
    void logChart(Http h) throws IOException {
        long id = id(h);
        only(id);
        String table = h.param("table");
        Map<String, FieldType> cols = table == null ? null : config.logtables().get(table);
        if (cols == null) {
            throw new Http.Failure(
                    404,
                    "no log table " + table + "; the log tables are "
                            + config.logtables().keySet());
        }
        List<String> numeric = new ArrayList<>();
        cols.forEach((c, t) -> {
            if (t == FieldType.INT || t == FieldType.LONG || t == FieldType.DOUBLE) {
                numeric.add(c);
            }
        });
        String x = h.param("x") == null || h.param("x").isBlank() ? null : h.param("x");
        String y = h.param("y");
        if (x != null && !numeric.contains(x)) {
            throw new Http.Failure(400, "x=" + x + ": not a numeric column of " + table + "; those are " + numeric);
        }
        if (y == null || !numeric.contains(y)) {
            throw new Http.Failure(400, "y=" + y + ": not a numeric column of " + table + "; those are " + numeric);
        }
        Map<Integer, XYSeries> byAttempt = new TreeMap<>();
        int n = 0;
        for (Map<String, Object> r : pages.logRows(table, id, MAX_LOG_ROWS)) {
            Object attempt = r.get("attempt");
            int a = attempt == null ? 0 : ((Number) attempt).intValue();
            XYSeries s = byAttempt.computeIfAbsent(a, k -> new XYSeries("attempt " + k, false, true));
            Object xv = x == null ? Integer.valueOf(s.getItemCount() + 1) : r.get(x);
            Object yv = r.get(y);
            n++;
            if (xv instanceof Number xn && yv instanceof Number yn) {
                s.add(xn.doubleValue(), yn.doubleValue());
            }
        }
        XYSeriesCollection data = new XYSeriesCollection();
        byAttempt.values().forEach(data::addSeries);
        NumberAxis xAxis = new NumberAxis(x == null ? "row" : x);
        xAxis.setAutoRangeIncludesZero(false);
        NumberAxis yAxis = new NumberAxis(y);
        yAxis.setAutoRangeIncludesZero(false);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, n <= 200);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            renderer.setSeriesStroke(i, new BasicStroke(2f));
        }
        XYPlot plot = new XYPlot(data, xAxis, yAxis, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
        JFreeChart chart = new JFreeChart(
                y + " by " + (x == null ? "row" : x) + " (" + table + ", experiment " + id + ")",
                font.deriveFont(Font.BOLD, 15f),
                plot,
                data.getSeriesCount() > 1);
        chart.setBackgroundPaint(Color.WHITE);
        int width = 720;
        int height = 360;
        SVGGraphics2D g = new SVGGraphics2D(width, height);
        chart.draw(g, new Rectangle(0, 0, width, height));
        h.text(
                200,
                "image/svg+xml; charset=utf-8",
                g.getSVGElement(null, true, new ViewBox(0, 0, width, height), null, null));
    }

    private static long id(Http h) {
        long id = h.longParam("id", -1);
        if (id < 0) {
            throw new Http.Failure(400, "id=...: which experiment (a row id)");
        }
        return id;
    }

    private Map<String, Object> only(long id) {
        List<Map<String, Object>> rows = pages.rowsByIds(List.of(id));
        if (rows.isEmpty()) {
            throw new Http.Failure(404, "table " + config.table() + " has no experiment with id " + id);
        }
        return rows.get(0);
    }
}
