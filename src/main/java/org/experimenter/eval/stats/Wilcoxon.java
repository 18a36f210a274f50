package org.experimenter.eval.stats;

import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * The Wilcoxon signed-rank test, paired and two-sided, as scipy's {@code wilcoxon(a, b)} with its defaults
 * ({@code zero_method='wilcox'}, {@code correction=False}):
 *
 * <ul>
 *   <li>zero differences are dropped before ranking (Wilcox's rule); the statistic is the smaller of the two
 *       signed-rank sums;
 *   <li>with at most 50 pairs, no zero and no tied absolute difference, the p-value is exact: twice the smaller tail
 *       of the rank-sum distribution over all 2^n sign patterns, 1 at its centre;
 *   <li>otherwise it is the normal approximation with the tie correction, without continuity correction.
 * </ul>
 *
 * <p>scipy 1.10's {@code method='auto'} keeps the exact distribution when absolute differences tie, truncating the
 * non-integer rank sum; that distribution does not hold with ties, so ties take the normal approximation here, as
 * they do from scipy 1.13 on.
 */
public final class Wilcoxon {
    /** The largest n for the exact distribution, as scipy. */
    static final int EXACT_MAX = 50;

    private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);

    private Wilcoxon() {}

    public static TestResult test(double[] a, double[] b) {
        double[] all = differences(a, b);
        int zeros = 0;
        for (double x : all) {
            if (x == 0) {
                zeros++;
            }
        }
        double[] d = new double[all.length - zeros];
        int j = 0;
        for (double x : all) {
            if (x != 0) {
                d[j++] = x;
            }
        }
        int n = d.length;
        if (n == 0) {
            return new TestResult("wilcoxon", Double.NaN, Double.NaN, 0, "all differences zero");
        }
        double[] abs = new double[n];
        for (int i = 0; i < n; i++) {
            abs[i] = Math.abs(d[i]);
        }
        double[] r = Ranks.of(abs);
        double plus = 0;
        double minus = 0;
        for (int i = 0; i < n; i++) {
            if (d[i] > 0) {
                plus += r[i];
            } else {
                minus += r[i];
            }
        }
        double statistic = Math.min(plus, minus);
        double ties = Ranks.tieTerm(abs);
        if (n <= EXACT_MAX && zeros == 0 && ties == 0) {
            return new TestResult("wilcoxon", statistic, exactP((int) plus, n), n, "exact");
        }
        double mean = n * (n + 1) / 4.0;
        double variance = (n * (n + 1.0) * (2 * n + 1) - ties / 2) / 24;
        double z = (statistic - mean) / Math.sqrt(variance);
        double p = 2 * NORMAL.cumulativeProbability(-Math.abs(z));
        return new TestResult("wilcoxon", statistic, p, n, "normal approximation");
    }

    /** The smallest two-sided exact p-value n pairs can give: 2 / 2^n (0.0625 for 5 pairs). */
    public static double smallestExactP(int n) {
        return Math.min(1, 2 / Math.pow(2, n));
    }

    /** Two-sided exact p-value of the positive rank sum {@code plus} among n ranks. */
    static double exactP(int plus, int n) {
        int max = n * (n + 1) / 2;
        // counts[s]: how many of the 2^n sign patterns give the positive rank sum s (at most 2^50: exact in a long)
        long[] counts = new long[max + 1];
        counts[0] = 1;
        for (int rank = 1; rank <= n; rank++) {
            for (int s = max; s >= rank; s--) {
                counts[s] += counts[s - rank];
            }
        }
        // scipy's test: the centre of the distribution, rounded down when n(n+1)/2 is odd
        if (plus == max / 2) {
            return 1.0;
        }
        double total = Math.pow(2, n);
        double less = 0;
        for (int s = 0; s <= plus; s++) {
            less += counts[s];
        }
        double greater = 0;
        for (int s = plus; s <= max; s++) {
            greater += counts[s];
        }
        return Math.min(1, 2 * Math.min(less, greater) / total);
    }

    /** a - b, element by element; the arrays must be pairs. */
    static double[] differences(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("paired test of " + a.length + " and " + b.length
                    + " values: the pairs must match (this is a bug)");
        }
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        return d;
    }
}
