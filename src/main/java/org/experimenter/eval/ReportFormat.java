package org.experimenter.eval;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.experimenter.ExperimenterException;

/**
 * Writes a {@link Report.Appendix} as Markdown or LaTeX: headings, one line per fact, and the
 * search space and best configurations as tables ({@link TableFormat}'s Markdown and LaTeX).
 */
public enum ReportFormat {
    MARKDOWN,
    LATEX;

    /** Parses {@code markdown} or {@code latex}, ignoring case. */
    public static ReportFormat parse(String name) {
        for (ReportFormat f : values()) {
            if (f.name().equalsIgnoreCase(name.trim())) {
                return f;
            }
        }
        throw new ExperimenterException("--format " + name + ": expected markdown or latex");
    }

    /** Values of a keyfield listed in full up to this many; beyond, the first few and the last. */
    static final int LISTED_VALUES = 10;

    public String render(Report.Appendix a) {
        Out o = new Out(this);
        String scope = a.where() == null ? "" : ", rows where " + a.where();
        scope += a.stage() == null ? "" : ", stage " + a.stage();
        o.heading(1, "Reproducibility: table " + a.table() + scope);

        Report.Runs r = a.runs();
        o.heading(2, "Runs");
        List<String> runs = new ArrayList<>();
        String seedText = r.seedFields().isEmpty() ? "no seed keyfield" : String.join(", ", r.seedFields());
        runs.add("Configurations: " + r.configurations() + " (distinct values of the keyfields other than " + seedText
                + ")");
        runs.add("Seeds: " + r.seeds() + (r.seedFields().isEmpty() ? "" : " (distinct values of " + seedText + ")"));
        runs.add("Rows: " + r.rows() + " (" + counts(r.rowsByStatus()) + ")");
        runs.add("Attempts: " + r.attempts() + " (" + counts(withoutReleased(r.attemptsByOutcome())) + ")"
                + "; failed attempts: " + r.failedAttempts()
                + "; rows run more than once: " + r.retriedRows()
                + released(r.attemptsByOutcome()));
        o.items(runs);

        o.heading(2, "Search space");
        List<List<Object>> space = new ArrayList<>();
        for (Report.Space s : a.space()) {
            space.add(List.of(
                    s.keyfield(),
                    s.type().configName(),
                    s.distinct(),
                    s.values().isEmpty() ? "" : s.min() + " to " + s.max(),
                    listed(s.values())));
        }
        o.table(new ResultTable(List.of("keyfield", "type", "values", "range", "listed"), space));

        // one stage (every row of the grid) is no selection: said only when rows were promoted into later ones
        if (a.stages().size() > 1) {
            o.heading(2, "Stages");
            List<List<Object>> stages = new ArrayList<>();
            for (Report.Stage s : a.stages()) {
                stages.add(List.of(s.stage(), s.rows(), s.configurations(), s.promoted()));
            }
            o.table(new ResultTable(List.of("stage", "rows", "configurations", "promoted rows"), stages));
            o.items(List.of("Selection: each later stage's rows were promoted (parent_id) from the best"
                    + " configurations of an earlier stage; the best configurations below are those of "
                    + (a.stage() == null ? "all stages together" : "stage " + a.stage())
                    + (a.stage() == null
                            ? " (choose one with --stage: reporting a winner on the seeds it was"
                                    + " selected on inflates it)"
                            : "")));
        }

        String per = a.by().isEmpty() ? "" : " per " + String.join(", ", a.by());
        o.heading(2, "Best configuration" + per);
        o.items(List.of("Ranked by the mean of " + a.value() + " over " + seedText + " ("
                + (a.lowerIsBetter() ? "lowest" : "highest") + " is best), done rows only; mean ± sample"
                + " standard deviation and the number of seeds"));
        o.table(a.best());

        Report.Compute c = a.compute();
        o.heading(2, "Compute");
        List<String> compute = new ArrayList<>();
        compute.add("CPU time: " + hours(c.cpuHours()) + " (summed over rows, last attempt of each)");
        compute.add("Wall time: " + hours(c.wallHours()) + " (summed over rows, last attempt of each)");
        compute.add("GPU hours: " + hours(c.gpuHours())
                + " (wall time x GPUs given, summed over the attempts; attempts given no GPU count 0)");
        if (c.firstStart() != null && c.lastEnd() != null) {
            double elapsed =
                    Duration.between(c.firstStart().toInstant(), c.lastEnd().toInstant())
                                    .toMillis()
                            / 3.6e6;
            compute.add("Elapsed: " + hours(elapsed) + " from the first start to the last end ("
                    + c.firstStart().toInstant() + " to " + c.lastEnd().toInstant() + ")");
        }
        compute.add(
                c.energyKwh() == null
                        ? "Energy and emissions: not recorded (no energy table)"
                        : "Energy: " + num(c.energyKwh()) + " kWh"
                                + (c.gpuEnergyKwh() == null ? "" : " (GPUs " + num(c.gpuEnergyKwh()) + " kWh)")
                                + "; emissions: "
                                + (c.emissionsKg() == null ? "not recorded" : num(c.emissionsKg()) + " kg CO2eq"));
        o.items(compute);

        Report.Infrastructure i = a.infrastructure();
        o.heading(2, "Infrastructure");
        List<String> infra = new ArrayList<>();
        infra.add("Hosts: " + (i.hosts().isEmpty() ? "none recorded" : countList(i.hosts(), "attempt")));
        infra.add("Spark applications: " + i.sparkApplications() + "; executors: " + i.executors() + "; Spark "
                + i.sparkVersion() + " (this report's)");
        infra.add("CPU models: " + (i.cpuModels().isEmpty() ? "not recorded" : countList(i.cpuModels(), "row")));
        infra.add("GPU models: " + (i.gpuModels().isEmpty() ? "not recorded" : countList(i.gpuModels(), "row")));
        o.items(infra);

        o.heading(2, "Code");
        Report.Code code = a.code();
        if (code == null) {
            o.items(List.of("Code version not recorded (the attempts table has no provenance columns)"));
        } else {
            List<String> lines = new ArrayList<>();
            lines.add("Code versions of done rows: " + countList(code.versions(), "row")
                    + (code.versions().size() > 1 ? " (more than one: the rows come from different code)" : ""));
            if (!code.runtimes().isEmpty()) {
                lines.add("Runtimes: " + countList(code.runtimes(), "row"));
            }
            if (!code.packages().isEmpty()) {
                lines.add("Packages: " + countList(code.packages(), "row"));
            }
            o.items(lines);
        }
        return o.toString();
    }

    private static Map<String, Long> withoutReleased(Map<String, Long> byOutcome) {
        Map<String, Long> m = new java.util.LinkedHashMap<>(byOutcome);
        m.remove("released");
        return m;
    }

    private static String released(Map<String, Long> byOutcome) {
        Long n = byOutcome.get("released");
        return n == null ? "" : "; released without using an attempt: " + n;
    }

    private static String counts(Map<String, Long> m) {
        if (m.isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        m.forEach((k, v) -> parts.add(k + " " + v));
        return String.join(", ", parts);
    }

    private static String countList(List<Report.Count> counts, String unit) {
        List<String> parts = new ArrayList<>();
        for (Report.Count c : counts) {
            parts.add(c.value() + " (" + c.n() + " " + unit + (c.n() == 1 ? "" : "s") + ")");
        }
        return String.join(", ", parts);
    }

    private static String listed(List<Object> values) {
        List<String> s = new ArrayList<>();
        if (values.size() <= LISTED_VALUES) {
            values.forEach(v -> s.add(String.valueOf(v)));
        } else {
            for (int i = 0; i < LISTED_VALUES - 2; i++) {
                s.add(String.valueOf(values.get(i)));
            }
            s.add("...");
            s.add(String.valueOf(values.get(values.size() - 1)));
        }
        return String.join(", ", s);
    }

    static String hours(double h) {
        return String.format(Locale.ROOT, "%.4f h (%.1f s)", h, h * 3600);
    }

    static String num(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }

    /** The text being written, in one format. */
    private static final class Out {
        private final ReportFormat f;
        private final StringBuilder b = new StringBuilder();

        Out(ReportFormat f) {
            this.f = f;
        }

        void heading(int level, String text) {
            if (b.length() > 0) {
                b.append("\n");
            }
            if (f == MARKDOWN) {
                b.append("#".repeat(level)).append(" ").append(text).append("\n");
            } else {
                b.append(level == 1 ? "\\section*{" : "\\subsection*{")
                        .append(TableFormat.latexEscape(text))
                        .append("}\n");
            }
        }

        void items(List<String> lines) {
            b.append("\n");
            if (f == MARKDOWN) {
                lines.forEach(l -> b.append("- ").append(l).append("\n"));
            } else {
                b.append("\\begin{itemize}\n");
                lines.forEach(l -> b.append("\\item ")
                        .append(TableFormat.latexEscape(l).replace("±", "$\\pm$"))
                        .append("\n"));
                b.append("\\end{itemize}\n");
            }
        }

        void table(ResultTable t) {
            b.append("\n").append((f == MARKDOWN ? TableFormat.MARKDOWN : TableFormat.LATEX).render(t));
        }

        @Override
        public String toString() {
            return b.toString();
        }
    }
}
