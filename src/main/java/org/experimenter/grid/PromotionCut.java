package org.experimenter.grid;

import java.util.Arrays;

/**
 * Asynchronous successive halving's promotion rule (Li et al., ASHA, MLSys 2020), with the cut
 * Ray Tune's {@code AsyncHyperBandScheduler} draws: a result is in the top {@code 1/eta} of its
 * rung when it is at least the {@code (1 - 1/eta) x 100}th percentile of the rung's results so
 * far, linearly interpolated ({@code np.nanpercentile}); lower-is-better results are negated
 * first, as Ray does. On 1..9 with eta = 3 the cut is 6.333, so 7, 8 and 9 are promotable.
 */
public final class PromotionCut {
    private PromotionCut() {}

    /** The cut over a rung's results so far (NaN ignored); NaN when there is none. */
    public static double cut(double[] results, int eta, boolean lowerIsBetter) {
        double[] v = Arrays.stream(results)
                .filter(d -> !Double.isNaN(d))
                .map(d -> lowerIsBetter ? -d : d)
                .sorted()
                .toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        double q = (1 - 1.0 / eta) * (v.length - 1);
        int lo = (int) Math.floor(q);
        int hi = Math.min(lo + 1, v.length - 1);
        double c = v[lo] + (q - lo) * (v[hi] - v[lo]);
        return lowerIsBetter ? -c : c;
    }

    /** Whether a result makes the cut: at least it, or at most it when lower is better. */
    public static boolean makes(double result, double cut, boolean lowerIsBetter) {
        if (Double.isNaN(result) || Double.isNaN(cut)) {
            return false;
        }
        return lowerIsBetter ? result <= cut : result >= cut;
    }
}
