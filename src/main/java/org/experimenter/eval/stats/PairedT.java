package org.experimenter.eval.stats;

import org.apache.commons.math3.distribution.TDistribution;

/** The paired t-test, two-sided, as scipy's {@code ttest_rel(a, b)}. */
public final class PairedT {
    private PairedT() {}

    /**
     * t = mean(d) / (sd(d) / sqrt(n)) over d = a - b with n - 1 degrees of freedom. Constant differences give no
     * test: the statistic and p-value are NaN, as in scipy.
     */
    public static TestResult test(double[] a, double[] b) {
        double[] d = Wilcoxon.differences(a, b);
        int n = d.length;
        if (n < 2) {
            return new TestResult("ttest", Double.NaN, Double.NaN, n, "t-test needs two pairs");
        }
        double mean = 0;
        for (double x : d) {
            mean += x;
        }
        mean /= n;
        double ss = 0;
        for (double x : d) {
            ss += (x - mean) * (x - mean);
        }
        double sd = Math.sqrt(ss / (n - 1));
        if (sd == 0) {
            return new TestResult("ttest", Double.NaN, Double.NaN, n, "constant differences");
        }
        double t = mean / (sd / Math.sqrt(n));
        // no random generator; accuracy to 1e-14 rather than the default 1e-9
        TDistribution dist = new TDistribution(null, n - 1, 1e-14);
        double p = 2 * dist.cumulativeProbability(-Math.abs(t));
        return new TestResult("ttest", t, Math.min(1, p), n, "t distribution, " + (n - 1) + " df");
    }
}
