package org.experimenter.eval.stats;

import java.util.Arrays;
import java.util.Comparator;

/** Ranks with ties averaged (scipy's rankdata, method 'average'): the values 5, 7, 7 rank 1, 2.5, 2.5. */
public final class Ranks {
    private Ranks() {}

    /** The ranks, 1 for the smallest value, in the order of the values. */
    public static double[] of(double[] values) {
        int n = values.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> values[i]));
        double[] ranks = new double[n];
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && values[order[j + 1]] == values[order[i]]) {
                j++;
            }
            double average = (i + j) / 2.0 + 1;
            for (int m = i; m <= j; m++) {
                ranks[order[m]] = average;
            }
            i = j + 1;
        }
        return ranks;
    }

    /** The sum of t^3 - t over the groups of t equal values: the tie term of the rank tests' variances. */
    public static double tieTerm(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double sum = 0;
        int i = 0;
        while (i < sorted.length) {
            int j = i;
            while (j + 1 < sorted.length && sorted[j + 1] == sorted[i]) {
                j++;
            }
            double t = j - i + 1;
            sum += t * t * t - t;
            i = j + 1;
        }
        return sum;
    }
}
