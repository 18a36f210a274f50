package org.experimenter.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.experimenter.Experimenter;
import org.experimenter.ExperimenterException;
import org.experimenter.eval.CellTest;
import org.experimenter.eval.Evaluation;
import org.experimenter.eval.ResultTable;
import org.experimenter.eval.Rungs;
import org.experimenter.eval.Stat;
import org.experimenter.eval.TableFormat;
import org.experimenter.eval.TableWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code experimenter eval}: statistics of the done rows over seeds, as a table or a pivot. */
@Command(
        name = "eval",
        description = "Aggregate the results of done rows over seeds: mean, std, se, ci95, count, min, median, max, sum"
                + " per result field, or a pivot table.")
final class EvalCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(
            names = "--over",
            split = ",",
            description = "Keyfields to aggregate over (default: seed, when there is such a keyfield).")
    List<String> over;

    @Option(
            names = "--stats",
            split = ",",
            description = "Statistics: mean, std, se, ci95, count, min, median, max, sum, or all"
                    + " (default: mean,std,count; in a pivot: mean,std).")
    List<String> stats;

    @Option(
            names = "--fields",
            split = ",",
            description = "Result fields to aggregate (default: every numeric one); also energy_kwh, emissions_kg,"
                    + " cpu_energy_kwh, ram_energy_kwh, gpu_energy_kwh: a row's sums over its attempts.")
    List<String> fields;

    @Mixin
    WhereOption condition;

    @Mixin
    StageOption only;

    @Option(names = "--rows", split = ",", description = "Pivot: keyfields whose values make the rows.")
    List<String> rows;

    @Option(names = "--columns", split = ",", description = "Pivot: keyfields whose values make the columns.")
    List<String> columns;

    @Option(
            names = "--value",
            description =
                    "Pivot: the result field in the cells (or an energy field, e.g. energy_kwh with --stats sum).")
    String value;

    @Option(
            names = "--lower-is-better",
            description = "Pivot: mark the lowest value of each row as best (default: the highest).")
    boolean lowerIsBetter;

    @Option(
            names = "--test",
            description = "Pivot: test each cell against its row's best by a paired test over the --over values"
                    + " (the seeds), Holm-corrected within the row, and mark the cells not significantly worse:"
                    + " wilcoxon or ttest.")
    String test;

    @Option(names = "--alpha", description = "With --test: the significance level (default: 0.05).")
    Double alpha;

    @Option(
            names = "--against",
            description = "With --test: best (default: each row's best) or a column's value, the control.")
    String against;

    @Option(
            names = "--rung",
            description = "With a halving section: each rung's table (configurations, their value, rank and mark)"
                    + " and the survivors' paths; csv, json and parquet write the rung table (--paths: the paths).")
    boolean rung;

    @Option(names = "--paths", description = "With --rung: only the survivors' paths.")
    boolean paths;

    @Mixin
    OutputOptions out;

    @Override
    public Integer call() {
        Experimenter ex = common.experimenter();
        out.checkedFormat();
        if (paths && !rung) {
            throw new ExperimenterException("--paths goes with --rung");
        }
        if (rung) {
            return rungs(ex);
        }
        boolean pivot = rows != null || columns != null || value != null;
        if (pivot && (rows == null || columns == null || value == null)) {
            throw new ExperimenterException("--rows, --columns and --value go together: a pivot needs all three");
        }
        if (pivot && fields != null) {
            throw new ExperimenterException("--fields does not apply to a pivot; --value names its result field");
        }
        if (!pivot && lowerIsBetter) {
            throw new ExperimenterException("--lower-is-better applies to a pivot (--rows, --columns, --value)");
        }
        if (test == null && (alpha != null || against != null)) {
            throw new ExperimenterException("--alpha and --against go with --test wilcoxon|ttest");
        }
        if (test != null && !pivot) {
            throw new ExperimenterException("--test applies to a pivot (--rows, --columns, --value)");
        }
        CellTest cellTest = test == null ? null : CellTest.parse(test, alpha, against);
        TableFormat format = out.checkedFormat();
        List<Stat> chosen = stats == null ? null : Stat.parse(stats);
        SparkSession spark = SparkSessions.open(ex.config());
        try {
            Evaluation e = ex.evaluation(spark)
                    .over(over)
                    .where(condition.where)
                    .stage(only.stage)
                    .fields(fields)
                    .stats(chosen);
            // check the names before any Spark job runs
            e.groupFields();
            print(spark, e, pivot ? e.pivot(rows, columns, value, lowerIsBetter, cellTest) : e.collect(), out);
            return 0;
        } finally {
            SparkSessions.close(spark);
        }
    }

    /** {@code eval --rung}: the rung tables and the survivors' paths of a halving run. */
    private int rungs(Experimenter ex) {
        if (rows != null
                || columns != null
                || value != null
                || test != null
                || over != null
                || stats != null
                || fields != null
                || lowerIsBetter) {
            throw new ExperimenterException("--rung takes only --where, --stage, --paths and the output options;"
                    + " the halving section names the value and the ranking");
        }
        Rungs r = Rungs.of(ex.config());
        TableFormat format = out.checkedFormat();
        SparkSession spark = SparkSessions.open(ex.config());
        try {
            Evaluation e = ex.evaluation(spark).where(condition.where).stage(only.stage);
            Rungs.Tables t = r.read(e);
            boolean human =
                    format == TableFormat.CONSOLE || format == TableFormat.MARKDOWN || format == TableFormat.LATEX;
            if (human && !paths) {
                Path written =
                        TableWriter.writeText(r.text(t, format, out.precision), out.output, OutputOptions.stdout());
                if (written != null) {
                    System.out.println("wrote " + written);
                }
            } else {
                out.write(spark, paths ? t.paths() : t.rungs());
            }
            return 0;
        } finally {
            SparkSessions.close(spark);
        }
    }

    /** Writes an evaluation's table, then says on standard error what it left out. */
    static void print(SparkSession spark, Evaluation e, ResultTable t, OutputOptions out) {
        out.write(spark, t);
        TableFormat format = out.checkedFormat();
        if (format != TableFormat.CONSOLE && format != TableFormat.MARKDOWN && format != TableFormat.LATEX) {
            // CSV, JSON and Parquet carry the p-values as columns; the legend goes beside them
            for (String line : TableFormat.legend(t, "not_worse: ")) {
                System.err.println(line);
            }
        }
        reportLeftOut(e.leftOut());
        for (Map.Entry<String, Long> f : e.withoutValue().entrySet()) {
            System.err.println(f.getKey() + ": left out of the statistics " + f.getValue()
                    + (f.getValue() == 1 ? " done row" : " done rows")
                    + " without a value (NaN, or never written)");
        }
    }

    /** Says on standard error how many rows per status were not done, so never part of the table. */
    private static void reportLeftOut(Map<String, Long> left) {
        if (left.isEmpty()) {
            return;
        }
        List<String> parts = new ArrayList<>();
        long n = 0;
        for (Map.Entry<String, Long> s : left.entrySet()) {
            parts.add(s.getValue() + " " + s.getKey());
            n += s.getValue();
        }
        System.err.println(
                "left out " + n + (n == 1 ? " row" : " rows") + " not done (" + String.join(", ", parts) + ")");
    }
}
