package org.experimenter.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.experimenter.Experimenter;
import org.experimenter.ExperimenterException;
import org.experimenter.eval.Evaluation;
import org.experimenter.eval.ResultTable;
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
            ResultTable means = e.meansByDatasetAndMethod(datasets, methods, value, lowerIsBetter);
            // the pivot's columns: the data set, one per method, then the machine-only "best"
            List<String> names = means.columns().subList(1, means.columns().size() - 1);
            // a number-valued keyfield names its columns k=3 (as eval's pivot does); --control 3 means that one
            int controlIndex = control == null
                    ? -1
                    : names.contains(control) ? names.indexOf(control) : names.indexOf(methods + "=" + control);
            if (control != null && controlIndex < 0) {
                throw new ExperimenterException(
                        "--control " + control + ": no such value of " + methods + "; the methods are " + names);
            }
            if (names.size() < 2) {
                throw new ExperimenterException(
                        "--methods " + methods + ": " + names.size() + " method " + names + "; a comparison needs two");
            }
            List<String> sets = new ArrayList<>();
            double[][] x = new double[means.size()][names.size()];
            for (int r = 0; r < means.size(); r++) {
                sets.add(String.valueOf(means.get(r, datasets)));
                for (int j = 0; j < names.size(); j++) {
                    Object v = means.get(r, names.get(j));
                    x[r][j] = v instanceof Number ? ((Number) v).doubleValue() : Double.NaN;
                }
            }
            MethodComparison c;
            try {
                c = MethodComparison.of(sets, names, x, alpha, lowerIsBetter, controlIndex);
            } catch (IllegalArgumentException tooFew) {
                throw new ExperimenterException("--datasets " + datasets + ": " + tooFew.getMessage());
            }
            String what = "mean " + value
                    + (e.overFields().isEmpty() ? "" : " over " + String.join(",", e.overFields())) + ", "
                    + (lowerIsBetter ? "lower" : "higher") + " is better";
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
            spark.stop();
        }
    }
}
