package org.experimenter.eval;

import java.util.Locale;
import org.experimenter.ExperimenterException;
import org.experimenter.eval.stats.PairedT;
import org.experimenter.eval.stats.TestResult;
import org.experimenter.eval.stats.Wilcoxon;

/**
 * How {@code eval --test} compares the cells of a pivot: each cell with its row's best (or a control column) by a
 * paired test over the {@code --over} values (the seeds) both cells have, Holm-corrected within the row.
 *
 * @param test the paired test
 * @param alpha the significance level, between 0 and 1
 * @param against the control column's value (as {@code --against} names it), or null for the row's best
 */
public record CellTest(Kind test, double alpha, String against) {
    /** The paired tests; both two-sided, from {@link org.experimenter.eval.stats}. */
    public enum Kind {
        WILCOXON("Wilcoxon signed-rank test"),
        TTEST("paired t-test");

        private final String title;

        Kind(String title) {
            this.title = title;
        }

        /** The name in a legend, e.g. "Wilcoxon signed-rank test". */
        public String title() {
            return title;
        }

        TestResult run(double[] a, double[] b) {
            return this == WILCOXON ? Wilcoxon.test(a, b) : PairedT.test(a, b);
        }
    }

    public CellTest {
        if (test == null) {
            throw new ExperimenterException("--test: expected wilcoxon or ttest");
        }
        if (!(alpha > 0 && alpha < 1)) {
            throw new ExperimenterException("--alpha " + alpha + ": expected a level between 0 and 1, e.g. 0.05");
        }
        against = against == null || against.isBlank() || against.strip().equals("best") ? null : against.strip();
    }

    /**
     * Reads the options: {@code --test wilcoxon|ttest}, {@code --alpha} (null for 0.05), {@code --against best|VALUE}
     * (null for best).
     */
    public static CellTest parse(String test, Double alpha, String against) {
        Kind kind = switch (test == null ? "" : test.strip().toLowerCase(Locale.ROOT)) {
            case "wilcoxon" -> Kind.WILCOXON;
            case "ttest", "t-test", "t" -> Kind.TTEST;
            default -> throw new ExperimenterException("--test " + test + ": expected wilcoxon or ttest");
        };
        return new CellTest(kind, alpha == null ? 0.05 : alpha, against);
    }

    /** The options that give this test on the command line. */
    public java.util.List<String> arguments() {
        java.util.List<String> a =
                new java.util.ArrayList<>(java.util.List.of("--test", test == Kind.WILCOXON ? "wilcoxon" : "ttest"));
        if (alpha != 0.05) {
            a.add("--alpha");
            a.add(String.valueOf(alpha));
        }
        if (against != null) {
            a.add("--against");
            a.add(against);
        }
        return a;
    }
}
