package org.experimenter.eval.stats;

import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * Post-hoc tests on average ranks after a Friedman test (Demšar 2006, section 3.2.2): two methods differ when their
 * average ranks differ by at least the critical difference CD = q_alpha sqrt(k (k + 1) / (6 N)).
 */
public final class CriticalDifference {
    private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);

    private CriticalDifference() {}

    /** Nemenyi's q_alpha for all pairs: the studentized range quantile for k means, infinite df, over sqrt(2). */
    public static double nemenyiQ(int k, double alpha) {
        return StudentizedRange.quantile(1 - alpha, k) / Math.sqrt(2);
    }

    /** The Nemenyi critical difference for comparing all k methods with each other on n data sets. */
    public static double nemenyi(int k, int n, double alpha) {
        return nemenyiQ(k, alpha) * standardError(k, n);
    }

    /** Bonferroni-Dunn's q_alpha for k - 1 comparisons with a control: the normal quantile 1 - alpha / (2 (k - 1)). */
    public static double bonferroniDunnQ(int k, double alpha) {
        return NORMAL.inverseCumulativeProbability(1 - alpha / (2.0 * (k - 1)));
    }

    /** The Bonferroni-Dunn critical difference for comparing k - 1 methods with a control on n data sets. */
    public static double bonferroniDunn(int k, int n, double alpha) {
        return bonferroniDunnQ(k, alpha) * standardError(k, n);
    }

    /**
     * Holm's step-down procedure against a control: z = (R_i - R_control) / sqrt(k (k + 1) / (6 N)), two-sided
     * normal p-values, Holm-adjusted over the k - 1 comparisons.
     *
     * @return raw and adjusted p-values in the order of the methods; NaN at the control
     */
    public static double[][] holmAgainstControl(double[] averageRanks, int control, int n) {
        int k = averageRanks.length;
        double se = standardError(k, n);
        double[] p = new double[k];
        for (int j = 0; j < k; j++) {
            p[j] = j == control
                    ? Double.NaN
                    : 2 * NORMAL.cumulativeProbability(-Math.abs(averageRanks[j] - averageRanks[control]) / se);
        }
        return new double[][] {p, Holm.adjust(p)};
    }

    private static double standardError(int k, int n) {
        return Math.sqrt(k * (k + 1.0) / (6.0 * n));
    }
}
