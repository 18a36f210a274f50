package org.experimenter.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.experimenter.Experimenter;
import org.experimenter.eval.Report;
import org.experimenter.eval.ReportFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code experimenter report}: the reproducibility appendix of a table, as Markdown or LaTeX. */
@Command(
        name = "report",
        description = "Print the reproducibility appendix of the table (configurations, seeds, runs, search space,"
                + " stages, best configuration per group with mean ± std, compute, infrastructure, code versions)"
                + " as Markdown or LaTeX.")
final class ReportCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--format", defaultValue = "markdown", description = "markdown (default) or latex.")
    String format;

    @Mixin
    StageOption only;

    @Option(
            names = "--over",
            split = ",",
            description = "The seed keyfields, aggregated over (default: seed, when there is such a keyfield).")
    List<String> over;

    @Option(
            names = "--by",
            split = ",",
            description = "Keyfields whose groups each get their best configuration (default: one best overall).")
    List<String> by;

    @Option(
            names = "--value",
            description = "The result field ranking configurations (default: the first numeric one).")
    String value;

    @Option(names = "--lower-is-better", description = "The lowest mean is best (default: the highest).")
    boolean lowerIsBetter;

    @Mixin
    WhereOption condition;

    @Override
    public Integer call() {
        Experimenter ex = common.experimenter();
        ReportFormat f = ReportFormat.parse(format);
        SparkSession spark = SparkSessions.open(ex.config());
        try {
            Report.Appendix a = new Report(spark, ex.config())
                    .over(over)
                    .by(by)
                    .value(value)
                    .lowerIsBetter(lowerIsBetter)
                    .where(condition.where)
                    .stage(only.stage)
                    .collect();
            System.out.print(f.render(a));
            return 0;
        } finally {
            SparkSessions.close(spark);
        }
    }
}
