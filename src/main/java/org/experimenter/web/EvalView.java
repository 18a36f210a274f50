package org.experimenter.web;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.experimenter.ExperimenterException;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.eval.CellTest;
import org.experimenter.eval.Comparisons;
import org.experimenter.eval.Evaluation;
import org.experimenter.eval.Plotter;
import org.experimenter.eval.ResultTable;
import org.experimenter.eval.Rungs;
import org.experimenter.eval.Stat;
import org.experimenter.eval.TableFormat;
import org.experimenter.eval.stats.CdDiagram;
import org.experimenter.eval.stats.ComparisonFormat;
import org.experimenter.eval.stats.MethodComparison;

/**
 * The evaluation and plot views: the {@code eval} table or pivot, as JSON for the page and as
 * CSV, Markdown and LaTeX exactly as the command writes them ({@link TableFormat#render}); the
 * {@code plot} chart as SVG. Both are computed by {@link SparkViews} from its cached copy.
 */
final class EvalView {
    /** What an evaluation gives the page: the table and what was left out of it. */
    record Result(ResultTable table, Map<String, Long> leftOut, Map<String, Long> withoutValue) {}

    /** The parameters of {@code eval}, as the page sends them. */
    record Params(
            List<String> over,
            List<String> stats,
            List<String> fields,
            String where,
            Integer stage,
            List<String> rows,
            List<String> columns,
            String value,
            boolean lowerIsBetter,
            String test,
            String alpha,
            String against) {

        static Params of(Http h) {
            String where = h.param("where");
            String value = h.param("value");
            return new Params(
                    h.list("over"),
                    empty(h.list("stats")),
                    empty(h.list("fields")),
                    where == null || where.isBlank() ? null : where.strip(),
                    h.stage(),
                    empty(h.list("rows")),
                    empty(h.list("columns")),
                    value == null || value.isBlank() ? null : value.strip(),
                    "true".equals(h.param("lower")),
                    blank(h.param("test")),
                    blank(h.param("alpha")),
                    blank(h.param("against")));
        }

        /** The test of {@code eval --test}, or null; a bad option is a 400 with eval's message. */
        CellTest cellTest() {
            if (test == null && (alpha != null || against != null)) {
                throw new Http.Failure(400, "--alpha and --against go with --test wilcoxon|ttest");
            }
            if (test == null) {
                return null;
            }
            if (!pivot()) {
                throw new Http.Failure(400, "--test applies to a pivot (--rows, --columns, --value)");
            }
            try {
                return CellTest.parse(test, alpha == null ? null : Double.valueOf(alpha), against);
            } catch (NumberFormatException e) {
                throw new Http.Failure(400, "--alpha " + alpha + ": expected a level between 0 and 1, e.g. 0.05");
            } catch (ExperimenterException e) {
                throw new Http.Failure(400, e.getMessage());
            }
        }

        boolean pivot() {
            return rows != null || columns != null || value != null;
        }

        /** The same table from the command line. */
        List<String> arguments() {
            List<String> a = new ArrayList<>();
            if (over != null) {
                a.add("--over");
                a.add(String.join(",", over));
            }
            if (stats != null) {
                a.add("--stats");
                a.add(String.join(",", stats));
            }
            if (fields != null) {
                a.add("--fields");
                a.add(String.join(",", fields));
            }
            if (where != null) {
                a.add("--where");
                a.add(where);
            }
            if (stage != null) {
                a.add("--stage");
                a.add(stage.toString());
            }
            if (pivot()) {
                a.addAll(List.of(
                        "--rows", join(rows), "--columns", join(columns), "--value", value == null ? "" : value));
                if (lowerIsBetter) {
                    a.add("--lower-is-better");
                }
                CellTest t = test == null ? null : cellTest();
                if (t != null) {
                    a.addAll(t.arguments());
                }
            }
            return a;
        }

        private static String blank(String s) {
            return s == null || s.isBlank() ? null : s.strip();
        }

        private static String join(List<String> l) {
            return l == null ? "" : String.join(",", l);
        }

        private static List<String> empty(List<String> l) {
            return l == null || l.isEmpty() ? null : l;
        }
    }

    private final ExperimentConfig config;
    private final SparkViews spark;
    private final String configName;

    EvalView(ExperimentConfig config, SparkViews spark, String configName) {
        this.config = config;
        this.spark = spark;
        this.configName = configName;
    }

    /** {@code /api/eval}: JSON for the page, or {@code format=csv|markdown|latex} as a file. */
    void eval(Http h) throws IOException {
        Params p = Params.of(h);
        int precision = (int) h.longParam("precision", TableFormat.DEFAULT_PRECISION);
        if (precision < 0 || precision > 15) {
            throw new Http.Failure(400, "--precision " + precision + ": expected 0 to 15 digits");
        }
        if (p.pivot() && (p.rows() == null || p.columns() == null || p.value() == null)) {
            throw new Http.Failure(400, "--rows, --columns and --value go together: a pivot needs all three");
        }
        if (!p.pivot() && p.lowerIsBetter()) {
            throw new Http.Failure(400, "--lower-is-better applies to a pivot (--rows, --columns, --value)");
        }
        List<Stat> stats = p.stats() == null ? null : parseStats(p.stats());
        CellTest test = p.cellTest();
        SparkViews.Answer<Result> a = spark.get("eval " + p, s -> {
            Evaluation e = new Evaluation(s.spark(), config)
                    .from(s.table())
                    .over(p.over())
                    .where(p.where())
                    .stage(p.stage())
                    .fields(p.pivot() ? null : p.fields())
                    .stats(stats);
            e.groupFields();
            ResultTable t =
                    p.pivot() ? e.pivot(p.rows(), p.columns(), p.value(), p.lowerIsBetter(), test) : e.collect();
            return new Result(t, e.leftOut(), e.withoutValue());
        });
        Download d = Download.of(h);
        if (d != null) {
            TableFormat f = d.format();
            String ext = d.extension();
            h.download(
                    d.contentType(),
                    config.table() + "-eval." + ext,
                    f.render(a.value().table(), precision));
            return;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("shown", TableFormat.shown(a.value().table(), precision));
        out.put("leftOut", a.value().leftOut());
        out.put("withoutValue", a.value().withoutValue());
        out.put("command", command("eval", p.arguments()));
        out.put("asOf", a.asOf());
        out.put("stale", a.stale());
        h.json(200, out);
    }

    /**
     * {@code /api/rungs}: the rung tables and survivors' paths of {@code eval --rung} as JSON for
     * the page, or {@code format=csv|markdown|latex} as a file exactly as the command writes it
     * ({@code paths=true}: the paths alone).
     */
    void rungs(Http h) throws IOException {
        String where = Params.blank(h.param("where"));
        Integer stage = h.stage();
        boolean pathsOnly = "true".equals(h.param("paths"));
        int precision = (int) h.longParam("precision", TableFormat.DEFAULT_PRECISION);
        if (precision < 0 || precision > 15) {
            throw new Http.Failure(400, "--precision " + precision + ": expected 0 to 15 digits");
        }
        Rungs r;
        try {
            r = Rungs.of(config);
        } catch (ExperimenterException e) {
            throw new Http.Failure(400, e.getMessage());
        }
        SparkViews.Answer<Rungs.Tables> a = spark.get(
                "rungs " + List.of(String.valueOf(where), String.valueOf(stage)),
                s -> r.read(new Evaluation(s.spark(), config)
                        .from(s.table())
                        .where(where)
                        .stage(stage)));
        List<String> args = new ArrayList<>(List.of("--rung"));
        if (where != null) {
            args.add("--where");
            args.add(where);
        }
        if (stage != null) {
            args.add("--stage");
            args.add(stage.toString());
        }
        Download d = Download.of(h);
        if (d != null) {
            TableFormat f = d.format();
            String ext = d.extension();
            String text = f == TableFormat.CSV || pathsOnly
                    ? f.render(pathsOnly ? a.value().paths() : a.value().rungs(), precision)
                    : r.text(a.value(), f, precision);
            h.download(d.contentType(), config.table() + (pathsOnly ? "-paths." : "-rungs.") + ext, text);
            return;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rungs", TableFormat.shown(a.value().rungs(), precision));
        out.put("paths", TableFormat.shown(a.value().paths(), precision));
        out.put("command", command("eval", args));
        out.put("asOf", a.asOf());
        out.put("stale", a.stale());
        h.json(200, out);
    }

    /** The parameters of {@code compare}, as the page sends them. */
    record CompareParams(
            String datasets,
            String methods,
            String value,
            List<String> over,
            double alpha,
            boolean lowerIsBetter,
            String control,
            String where,
            Integer stage) {
        static CompareParams of(Http h) {
            String datasets = Params.blank(h.param("datasets"));
            String methods = Params.blank(h.param("methods"));
            String value = Params.blank(h.param("value"));
            if (datasets == null || methods == null || value == null) {
                throw new Http.Failure(400, "a comparison needs datasets, methods and value (keyfields and a result)");
            }
            String alpha = Params.blank(h.param("alpha"));
            double a;
            try {
                a = alpha == null ? 0.05 : Double.parseDouble(alpha);
            } catch (NumberFormatException e) {
                throw new Http.Failure(400, "--alpha " + alpha + ": expected a level between 0 and 1, e.g. 0.05");
            }
            return new CompareParams(
                    datasets,
                    methods,
                    value,
                    h.list("over"),
                    a,
                    "true".equals(h.param("lower")),
                    Params.blank(h.param("control")),
                    Params.blank(h.param("where")),
                    h.stage());
        }

        List<String> arguments() {
            List<String> a = new ArrayList<>(List.of("--methods", methods, "--datasets", datasets, "--value", value));
            if (over != null) {
                a.add("--over");
                a.add(String.join(",", over));
            }
            if (alpha != 0.05) {
                a.add("--alpha");
                a.add(String.valueOf(alpha));
            }
            if (lowerIsBetter) {
                a.add("--lower-is-better");
            }
            if (control != null) {
                a.add("--control");
                a.add(control);
            }
            if (where != null) {
                a.add("--where");
                a.add(where);
            }
            if (stage != null) {
                a.add("--stage");
                a.add(String.valueOf(stage));
            }
            return a;
        }
    }

    /** What a comparison gives the page: the statistics and the heading's description. */
    record Compared(MethodComparison comparison, String what) {}

    private SparkViews.Answer<Compared> compared(CompareParams p) {
        return spark.get("compare " + p, s -> {
            Evaluation e = new Evaluation(s.spark(), config)
                    .from(s.table())
                    .over(p.over())
                    .where(p.where())
                    .stage(p.stage());
            MethodComparison c =
                    Comparisons.of(e, p.datasets(), p.methods(), p.value(), p.lowerIsBetter(), p.control(), p.alpha());
            return new Compared(c, Comparisons.what(e, p.value(), p.lowerIsBetter()));
        });
    }

    /**
     * {@code /api/compare}: the compare command's text and JSON for the page, or {@code format=markdown|latex|json}
     * as a file, exactly as the command writes it.
     */
    void compare(Http h) throws IOException {
        CompareParams p = CompareParams.of(h);
        SparkViews.Answer<Compared> a = compared(p);
        MethodComparison c = a.value().comparison();
        String format = h.param("format");
        if (format != null && !format.isBlank()) {
            String f;
            try {
                f = ComparisonFormat.parse(format);
            } catch (ExperimenterException e) {
                throw new Http.Failure(400, e.getMessage());
            }
            String ext = switch (f) {
                case "markdown" -> "md";
                case "latex" -> "tex";
                case "json" -> "json";
                default -> "txt";
            };
            h.download(
                    f.equals("json") ? "application/json; charset=utf-8" : "text/plain; charset=utf-8",
                    config.table() + "-compare." + ext,
                    ComparisonFormat.write(c, f, a.value().what()));
            return;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("text", ComparisonFormat.write(c, "text", a.value().what()));
        out.put("leftOut", c.leftOut());
        out.put("command", command("compare", p.arguments()));
        out.put("asOf", a.asOf());
        out.put("stale", a.stale());
        h.json(200, out);
    }

    /** {@code /api/compare.svg}: the critical-difference diagram of the same comparison. */
    void compareDiagram(Http h) throws IOException {
        SparkViews.Answer<Compared> a = compared(CompareParams.of(h));
        h.text(
                200,
                "image/svg+xml; charset=utf-8",
                CdDiagram.of(a.value().comparison()).svg());
    }

    /** {@code /api/plot.svg}: the plot command's chart. */
    void plot(Http h) throws IOException {
        String x = h.param("x");
        String y = h.param("y");
        if (x == null || y == null) {
            throw new Http.Failure(400, "a plot needs x (a numeric keyfield) and y (a numeric result field)");
        }
        List<String> over = h.list("over");
        String bandName = h.param("band") == null ? "std" : h.param("band");
        Stat band;
        try {
            band = bandName.equalsIgnoreCase("none") ? null : Stat.parse(bandName);
        } catch (ExperimenterException e) {
            throw new Http.Failure(400, e.getMessage());
        }
        if (band != null && !band.isSpread()) {
            throw new Http.Failure(400, "--band " + bandName + ": expected std, se, ci95 or none");
        }
        String where = h.param("where") == null || h.param("where").isBlank() ? null : h.param("where");
        Integer stage = h.stage();
        // beyond an int, a cast would turn 4294967396 into 100: such a size is refused as any other out of range
        int width = h.intParam("width", 800);
        int height = h.intParam("height", 500);
        String key = "plot "
                + List.of(
                        x,
                        y,
                        String.valueOf(over),
                        bandName.toLowerCase(Locale.ROOT),
                        String.valueOf(where),
                        String.valueOf(stage),
                        width,
                        height);
        SparkViews.Answer<String> a = spark.get(
                key,
                s -> new Plotter(s.spark(), config)
                        .from(s.table())
                        .x(x)
                        .y(y)
                        .over(over)
                        .where(where)
                        .stage(stage)
                        .band(band)
                        .size(width, height)
                        .svg());
        h.exchange.getResponseHeaders().set("X-Stale", Boolean.toString(a.stale()));
        h.exchange.getResponseHeaders().set("X-As-Of", a.asOf().toString());
        h.text(200, "image/svg+xml; charset=utf-8", a.value());
    }

    private static List<Stat> parseStats(List<String> names) {
        try {
            return Stat.parse(names);
        } catch (ExperimenterException e) {
            throw new Http.Failure(400, e.getMessage());
        }
    }

    /** A command line a shell reads back as these arguments. */
    String command(String name, List<String> args) {
        StringBuilder b = new StringBuilder("scripts/experimenter " + name + " -c " + quote(configName));
        for (String a : args) {
            b.append(' ').append(quote(a));
        }
        return b.toString();
    }

    static String quote(String s) {
        if (!s.isEmpty() && s.matches("[A-Za-z0-9_.,/=:@%+-]+")) {
            return s;
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** A table asked for as a download ({@code format=csv|markdown|latex}): its format, file extension and type. */
    record Download(TableFormat format, String extension) {
        /** The download a request asks for; null for JSON (no format=, or format=json). */
        static Download of(Http h) {
            String format = h.param("format");
            if (format == null || format.isBlank() || format.equals("json")) {
                return null;
            }
            TableFormat f;
            try {
                f = TableFormat.parse(format);
            } catch (ExperimenterException e) {
                throw new Http.Failure(400, e.getMessage());
            }
            String ext = switch (f) {
                case CSV -> "csv";
                case MARKDOWN -> "md";
                case LATEX -> "tex";
                default -> throw new Http.Failure(400, "download as csv, markdown or latex");
            };
            return new Download(f, ext);
        }

        String contentType() {
            return format == TableFormat.CSV ? "text/csv; charset=utf-8" : "text/plain; charset=utf-8";
        }
    }
}
