package org.experimenter.eval.stats;

import java.util.ArrayList;
import java.util.List;

/**
 * Which of k methods is better over N data sets (Demšar 2006): the Friedman test with its Iman-Davenport form,
 * average ranks, the Nemenyi critical difference, with a control method Holm's and Bonferroni-Dunn's tests against
 * it, and Wilcoxon signed-rank tests of every pair over the data sets, Holm-corrected together.
 *
 * <p>A data set where any method has no value is left out of everything, so that every test sees the same data
 * sets; {@link #leftOut} names them.
 *
 * @param methods the k method names, in the order of the ranks
 * @param datasets the N data sets compared
 * @param leftOut the data sets left out, each with the methods it lacks
 * @param friedman the Friedman test; its average ranks are 1 for the best
 * @param alpha the significance level of the critical differences
 * @param nemenyi the Nemenyi critical difference at alpha
 * @param control the control method's index, or -1 for none
 * @param bonferroniDunn the Bonferroni-Dunn critical difference against the control at alpha; NaN without control
 * @param holmControl raw and Holm-adjusted p-values against the control (NaN at the control); null without control
 * @param pairwise one Wilcoxon test per pair of methods
 */
public record MethodComparison(
        List<String> methods,
        List<String> datasets,
        List<String> leftOut,
        Friedman friedman,
        double alpha,
        double nemenyi,
        int control,
        double bonferroniDunn,
        double[][] holmControl,
        List<Pair> pairwise) {

    /** A Wilcoxon signed-rank test of methods a and b over the data sets; pHolm is corrected over all pairs. */
    public record Pair(String a, String b, TestResult test, double pHolm) {}

    /**
     * @param values values[dataset][method]; NaN where the method has no value on that data set
     * @param control the control method's index, or -1
     */
    public static MethodComparison of(
            List<String> datasets,
            List<String> methods,
            double[][] values,
            double alpha,
            boolean lowerIsBetter,
            int control) {
        int k = methods.size();
        List<String> kept = new ArrayList<>();
        List<String> leftOut = new ArrayList<>();
        List<double[]> rows = new ArrayList<>();
        for (int i = 0; i < datasets.size(); i++) {
            List<String> missing = new ArrayList<>();
            for (int j = 0; j < k; j++) {
                if (Double.isNaN(values[i][j])) {
                    missing.add(methods.get(j));
                }
            }
            if (missing.isEmpty()) {
                kept.add(datasets.get(i));
                rows.add(values[i]);
            } else {
                leftOut.add(datasets.get(i) + " (no value for " + String.join(", ", missing) + ")");
            }
        }
        int n = kept.size();
        if (n < 2) {
            throw new IllegalArgumentException(n + " data set" + (n == 1 ? "" : "s")
                    + " with a value for every method; the comparison needs at least two"
                    + (leftOut.isEmpty() ? "" : ", left out: " + String.join("; ", leftOut)));
        }
        String tooLarge = sizeProblem(k, n);
        if (tooLarge != null) {
            throw new IllegalArgumentException(tooLarge);
        }
        double[][] x = rows.toArray(new double[0][]);
        Friedman f = Friedman.test(x, lowerIsBetter);

        List<Pair> pairs = new ArrayList<>();
        List<TestResult> tests = new ArrayList<>();
        for (int a = 0; a < k; a++) {
            for (int b = a + 1; b < k; b++) {
                tests.add(Wilcoxon.test(column(x, a), column(x, b)));
            }
        }
        double[] p = tests.stream().mapToDouble(TestResult::p).toArray();
        double[] adjusted = Holm.adjust(p);
        int t = 0;
        for (int a = 0; a < k; a++) {
            for (int b = a + 1; b < k; b++) {
                pairs.add(new Pair(methods.get(a), methods.get(b), tests.get(t), adjusted[t]));
                t++;
            }
        }
        double dunn = control < 0 ? Double.NaN : CriticalDifference.bonferroniDunn(k, n, alpha);
        double[][] holm = control < 0 ? null : CriticalDifference.holmAgainstControl(f.averageRanks(), control, n);
        return new MethodComparison(
                List.copyOf(methods),
                kept,
                leftOut,
                f,
                alpha,
                CriticalDifference.nemenyi(k, n, alpha),
                control,
                dunn,
                holm,
                pairs);
    }

    /** At most this many methods: every pair is tested and listed (124,750 pairs). */
    public static final int MAX_METHODS = 500;

    /** At most this many data set values over all pairs' tests (pairs x data sets). */
    public static final long MAX_PAIR_VALUES = 20_000_000L;

    /**
     * Why k methods over n data sets are too many to compare (the pairwise tests grow with k^2 x n:
     * 20,000 methods were 200 million tests, which a web page's request could ask for), or null.
     */
    public static String sizeProblem(int k, int n) {
        long pairs = (long) k * (k - 1) / 2;
        if (k > MAX_METHODS) {
            return k + " methods; a comparison tests every pair and takes at most " + MAX_METHODS
                    + " (narrow them with --where)";
        }
        if (pairs * n > MAX_PAIR_VALUES) {
            return pairs + " pairs of methods over " + n + " data sets; a comparison takes at most " + MAX_PAIR_VALUES
                    + " pair values (pairs x data sets; narrow them with --where)";
        }
        return null;
    }

    private static double[] column(double[][] x, int j) {
        double[] c = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            c[i] = x[i][j];
        }
        return c;
    }
}
