package org.experimenter.eval.stats;

import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * The studentized range of k standard normal values with infinite degrees of freedom: the range of k independent
 * N(0, 1) draws. Its upper quantile divided by sqrt(2) is the q_alpha of the Nemenyi test (Demšar 2006, Table 5a).
 */
public final class StudentizedRange {
    private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);
    // the integrand below is smooth and negligible beyond |z| = 9; Simpson's rule on 0.005 steps is good to ~1e-12
    private static final double LIMIT = 9;
    private static final int STEPS = 3600;

    private StudentizedRange() {}

    /** P(range <= q) = k * integral of phi(z) (Phi(z) - Phi(z - q))^(k - 1) dz. */
    public static double cdf(double q, int k) {
        if (q <= 0) {
            return 0;
        }
        double h = 2 * LIMIT / STEPS;
        double sum = 0;
        for (int i = 0; i <= STEPS; i++) {
            double z = -LIMIT + i * h;
            double f = NORMAL.density(z)
                    * Math.pow(NORMAL.cumulativeProbability(z) - NORMAL.cumulativeProbability(z - q), k - 1);
            sum += f * (i == 0 || i == STEPS ? 1 : i % 2 == 1 ? 4 : 2);
        }
        return Math.min(1, k * sum * h / 3);
    }

    /** The q with P(range <= q) = probability, found by bisection (the cdf rises monotonically). */
    public static double quantile(double probability, int k) {
        if (k < 2 || !(probability > 0 && probability < 1)) {
            throw new IllegalArgumentException(
                    "studentized range quantile needs k >= 2 and 0 < p < 1, got k = " + k + ", p = " + probability);
        }
        double lo = 0;
        double hi = 20;
        for (int i = 0; i < 60; i++) {
            double mid = (lo + hi) / 2;
            if (cdf(mid, k) < probability) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }
}
