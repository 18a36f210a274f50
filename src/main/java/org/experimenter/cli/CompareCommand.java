package org.experimenter.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.experimenter.Experimenter;
import org.experimenter.ExperimenterException;
import org.experimenter.eval.Comparisons;
import org.experimenter.eval.Evaluation;
import org.experimenter.eval.stats.CdDiagram;
import org.experimenter.eval.stats.ComparisonFormat;
import org.experimenter.eval.stats.MethodComparison;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code experimenter compare}: which method is better over several data sets (Demšar 2006). */
@Command(
        name = "compare",
        description = "Compare methods over data sets: mean of a result field over seeds per data set and method,"
                + " Friedman and Iman-Davenport tests, average ranks, Nemenyi critical difference, Holm and"
                + " Bonferroni-Dunn against a control, pairwise Wilcoxon tests with Holm's correction.")
final class CompareCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--methods", required = true, description = "The keyfield whose values are the methods.")
    String methods;

    @Option(names = "--datasets", required = true, description = "The keyfield whose values are the data sets.")
    String datasets;

    @Option(names = "--value", required = true, description = "The result field compared.")
    String value;

    @Option(
            names = "--over",
            split = ",",
            description = "Keyfields averaged over per data set and method (default: seed, when there is one).")
    List<String> over;

    @Option(names = "--alpha", defaultValue = "0.05", description = "Significance level (default: 0.05).")
    double alpha;

    @Option(names = "--lower-is-better", description = "Rank the lowest value first (an error, a time).")
    boolean lowerIsBetter;

    @Option(names = "--control", description = "A method to test the others against (Holm, Bonferroni-Dunn).")
    String control;

    @Option(names = "--format", defaultValue = "text", description = "text, markdown, latex or json (default: text).")
    String format;

    @Option(names = "--output", description = "Write to this file instead of standard output.")
    Path output;

    @Option(
            names = "--cd-diagram",
            paramLabel = "FILE",
            description =
                    "Also draw the critical-difference diagram (Nemenyi at --alpha): FILE.svg, .png or .tex (TikZ).")
    Path cdDiagram;

    @Mixin
    WhereOption condition;

    @Mixin
    StageOption only;

    @Override
    public Integer call() throws IOException {
        ComparisonFormat.parse(format);
        if (cdDiagram != null) {
            CdDiagram.checkName(cdDiagram);
        }
        if (!(alpha > 0 && alpha < 1)) {
            throw new ExperimenterException("--alpha " + alpha + ": expected a level between 0 and 1, e.g. 0.05");
        }
        Experimenter ex = common.experimenter();
        SparkSession spark = SparkSessions.open(ex.config());
        try {
            Evaluation e =
                    ex.evaluation(spark).over(over).where(condition.where).stage(only.stage);
            MethodComparison c = Comparisons.of(e, datasets, methods, value, lowerIsBetter, control, alpha);
            String what = Comparisons.what(e, value, lowerIsBetter);
            String text = ComparisonFormat.write(c, format, what);
            if (output == null) {
                OutputOptions.stdout().print(text);
            } else {
                Files.writeString(output, text, StandardCharsets.UTF_8);
                System.out.println("wrote " + output);
            }
            if (cdDiagram != null) {
                CdDiagram.of(c).write(cdDiagram);
                System.err.println("wrote " + cdDiagram);
            }
            if (!c.leftOut().isEmpty()) {
                System.err.println("left out " + c.leftOut().size() + " data set(s) without a value for every method: "
                        + String.join("; ", c.leftOut()));
            }
            return 0;
        } finally {
            SparkSessions.close(spark);
        }
    }
}
