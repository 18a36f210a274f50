package org.experimenter.eval.stats;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Holm's step-down correction for m tests, as statsmodels' {@code multipletests(p, method='holm')}: the i-th
 * smallest p-value (from 0) is multiplied by m - i, capped at 1 and made monotone so that no adjusted p-value is
 * smaller than that of a test with a smaller raw p-value.
 */
public final class Holm {
    private Holm() {}

    /** The adjusted p-values, in the order given. NaN p-values stay NaN and do not count in m. */
    public static double[] adjust(double[] p) {
        Integer[] order = java.util.stream.IntStream.range(0, p.length)
                .filter(i -> !Double.isNaN(p[i]))
                .boxed()
                .toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> p[i]));
        double[] adjusted = new double[p.length];
        Arrays.fill(adjusted, Double.NaN);
        int m = order.length;
        double running = 0;
        for (int i = 0; i < m; i++) {
            running = Math.max(running, Math.min(1, (m - i) * p[order[i]]));
            adjusted[order[i]] = running;
        }
        return adjusted;
    }
}
