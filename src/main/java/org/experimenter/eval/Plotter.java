package org.experimenter.eval;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.awt.geom.Ellipse2D;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.experimenter.ExperimenterException;
import org.experimenter.FieldType;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.grid.Parameter;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGUtils;
import org.jfree.svg.ViewBox;

/**
 * Draws a result field against a numeric keyfield, one line per group of the other keyfields,
 * each point the mean over the {@link Evaluation#over aggregated} keyfields with a band of ± std,
 * se or ci95. Writes PNG or SVG, chosen by the file name.
 *
 * <pre>{@code
 * new Plotter(spark, config).x("k").y("accuracy").band(Stat.CI95).write(Path.of("accuracy.png"));
 * }</pre>
 */
public final class Plotter {
    /** Colours of the lines, in order (the Tableau 10 palette, readable on white and in print). */
    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)
    };

    private final ExperimentConfig config;
    private final Evaluation evaluation;
    private String x;
    private String y;
    private Stat band = Stat.STD;
    private int width = 800;
    private int height = 500;
    private String title;

    public Plotter(SparkSession spark, ExperimentConfig config) {
        this.config = config;
        this.evaluation = new Evaluation(spark, config);
    }

    /** Reads the table from this DataFrame (a cached copy) instead of through JDBC; see {@link Evaluation#from}. */
    public Plotter from(org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> table) {
        evaluation.from(table);
        return this;
    }

    /** The numeric keyfield on the x axis. */
    public Plotter x(String keyfield) {
        this.x = keyfield;
        return this;
    }

    /** The numeric result field on the y axis. */
    public Plotter y(String resultfield) {
        this.y = resultfield;
        return this;
    }

    /** The keyfields averaged over (default: seed when there is such a keyfield). */
    public Plotter over(List<String> keyfields) {
        evaluation.over(keyfields);
        return this;
    }

    /** A Spark SQL condition narrowing the rows; null for all. */
    public Plotter where(String condition) {
        evaluation.where(condition);
        return this;
    }

    /** Only the rows of one stage (1: the grid), null for all. */
    public Plotter stage(Integer stage) {
        evaluation.stage(stage);
        return this;
    }

    /** The band around each mean: {@link Stat#STD} (default), {@link Stat#SE}, {@link Stat#CI95}, or null for none. */
    public Plotter band(Stat spread) {
        if (spread != null && !spread.isSpread()) {
            throw new ExperimenterException("--band " + spread.key() + ": expected std, se, ci95 or none");
        }
        this.band = spread;
        return this;
    }

    /** The picture's size in pixels (default 800 x 500). */
    public Plotter size(int width, int height) {
        if (width < 100 || height < 100 || width > 10_000 || height > 10_000) {
            throw new ExperimenterException(
                    "--width " + width + " --height " + height + ": each must be between 100 and 10000 pixels");
        }
        this.width = width;
        this.height = height;
        return this;
    }

    /** The chart's title (default: "{@code <y> by <x>}"). */
    public Plotter title(String title) {
        this.title = title;
        return this;
    }

    /** Computes the means with Spark and builds the chart. */
    public JFreeChart chart() {
        check();
        List<Stat> stats = band == null ? List.of(Stat.MEAN) : List.of(Stat.MEAN, band);
        ResultTable t = evaluation.fields(List.of(y)).stats(stats).collect();
        List<String> lineFields = new ArrayList<>(evaluation.groupFields());
        lineFields.remove(x);

        Map<String, YIntervalSeries> series = new LinkedHashMap<>();
        for (int r = 0; r < t.size(); r++) {
            List<String> parts = new ArrayList<>();
            for (String f : lineFields) {
                parts.add(f + "=" + t.get(r, f));
            }
            String name = parts.isEmpty() ? y : String.join(", ", parts);
            Object xv = t.get(r, x);
            Object mean = t.get(r, y + "_mean");
            if (xv == null || mean == null) {
                continue;
            }
            double m = ((Number) mean).doubleValue();
            Object s = band == null ? null : t.get(r, y + "_" + band.key());
            double d = s == null ? 0 : ((Number) s).doubleValue();
            series.computeIfAbsent(name, YIntervalSeries::new).add(((Number) xv).doubleValue(), m, m - d, m + d);
        }
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        series.values().forEach(data::addSeries);

        NumberAxis xAxis = new NumberAxis(x);
        FieldType xType = config.keyfield(x).type();
        if (xType != FieldType.DOUBLE) {
            xAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        }
        xAxis.setAutoRangeIncludesZero(false);
        NumberAxis yAxis = new NumberAxis(y);
        yAxis.setAutoRangeIncludesZero(false);

        DeviationRenderer renderer = new DeviationRenderer(true, true);
        renderer.setAlpha(0.18f);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            Color c = PALETTE[i % PALETTE.length];
            renderer.setSeriesPaint(i, c);
            renderer.setSeriesFillPaint(i, c);
            renderer.setSeriesStroke(i, new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            renderer.setSeriesShape(i, new Ellipse2D.Double(-3, -3, 6, 6));
        }

        XYPlot plot = new XYPlot(data, xAxis, yAxis, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        plot.setOutlineVisible(false);
        plot.setAxisOffset(new RectangleInsets(4, 4, 4, 4));

        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
        for (NumberAxis a : List.of(xAxis, yAxis)) {
            a.setLabelFont(font.deriveFont(Font.BOLD, 14f));
            a.setTickLabelFont(font);
        }
        JFreeChart chart = new JFreeChart(
                title != null ? title : y + " by " + x,
                font.deriveFont(Font.BOLD, 16f),
                plot,
                data.getSeriesCount() > 1);
        chart.setBackgroundPaint(Color.WHITE);
        chart.addSubtitle(new TextTitle(caption(), font));
        LegendTitle legend = chart.getLegend();
        if (legend != null) {
            legend.setItemFont(font);
            legend.setItemLabelPadding(new RectangleInsets(2, 4, 2, 16));
            legend.setFrame(BlockBorder.NONE);
            legend.setPosition(RectangleEdge.BOTTOM);
        }
        return chart;
    }

    /**
     * Writes the chart to a {@code .png} or {@code .svg} file (parent folders created).
     *
     * @return the file written
     */
    public Path write(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean svg = name.endsWith(".svg");
        if (!svg && !name.endsWith(".png")) {
            throw new ExperimenterException("--output " + file + ": expected a file name ending in .png or .svg");
        }
        JFreeChart chart = chart();
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (svg) {
                SVGUtils.writeToSVG(file.toFile(), svgElement(chart));
            } else {
                ChartUtils.saveChartAsPNG(file.toFile(), chart, width, height);
            }
        } catch (IOException e) {
            throw new ExperimenterException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    /** The chart as the text of an SVG document, as {@link #write} writes it to a {@code .svg} file. */
    public String svg() {
        return svgElement(chart());
    }

    private String svgElement(JFreeChart chart) {
        SVGGraphics2D g = new SVGGraphics2D(width, height);
        chart.draw(g, new Rectangle(0, 0, width, height));
        // a viewBox lets browsers and LaTeX scale the picture
        return g.getSVGElement(null, true, new ViewBox(0, 0, width, height), null, null);
    }

    private String caption() {
        List<String> over = evaluation.overFields();
        String what = over.isEmpty() ? "mean" : "mean over " + String.join(", ", over);
        if (band == null) {
            return what;
        }
        String spread = band == Stat.CI95
                ? "95% confidence interval"
                : band == Stat.SE ? "± standard error" : "± standard deviation";
        return what + ", band: " + spread;
    }

    private void check() {
        if (x == null || y == null) {
            throw new ExperimenterException("a plot needs --x (a numeric keyfield) and --y (a numeric result field)");
        }
        Parameter p = config.keyfield(x);
        if (p == null) {
            String also = config.resultfields().containsKey(x) ? " (" + x + " is a result field; --y takes those)" : "";
            throw new ExperimenterException(
                    "--x " + x + ": no such keyfield" + also + "; the numeric keyfields are " + numericKeyfields());
        }
        if (!Evaluation.isNumeric(p.type())) {
            throw new ExperimenterException("--x " + x + ": keyfield of type "
                    + p.type().configName() + " is not numeric; the x axis needs one of " + numericKeyfields());
        }
        FieldType yType = config.resultfields().get(y);
        if (yType == null || !Evaluation.isNumeric(yType)) {
            List<String> numeric = new ArrayList<>();
            config.resultfields().forEach((f, t) -> {
                if (Evaluation.isNumeric(t)) {
                    numeric.add(f);
                }
            });
            String what = yType != null
                    ? "result field of type " + yType.configName() + " is not numeric"
                    : "no such result field"
                            + (config.keyfield(y) != null ? " (" + y + " is a keyfield; --x takes those)" : "");
            throw new ExperimenterException("--y " + y + ": " + what + "; the y axis needs one of " + numeric);
        }
        if (evaluation.overFields().contains(x)) {
            throw new ExperimenterException("--x " + x + ": the plot averages over " + x + " (--over "
                    + String.join(",", evaluation.overFields()) + "); choose another --over");
        }
    }

    private List<String> numericKeyfields() {
        List<String> out = new ArrayList<>();
        for (Parameter p : config.keyfields()) {
            if (Evaluation.isNumeric(p.type())) {
                out.add(p.name());
            }
        }
        return out;
    }
}
