package org.experimenter.eval.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Demšar (2006), "Statistical comparisons of classifiers over multiple data sets", JMLR 7: Table 6 (AUC of four
 * C4.5 variants on 14 data sets) and the Nemenyi q_alpha of Table 5a. scipy's test_friedmanchisquare holds the same table.
 */
class DemsarTableTest {
    /** Columns C4.5, C4.5+m, C4.5+cf, C4.5+m+cf; rows the 14 data sets (adult ... wine). */
    static double[][] table6(double votingCf) {
        double[][] byMethod = {
            {0.763, 0.599, 0.954, 0.628, 0.882, 0.936, 0.661, 0.583, 0.775, 1.0, 0.94, 0.619, 0.972, 0.957},
            {0.768, 0.591, 0.971, 0.661, 0.888, 0.931, 0.668, 0.583, 0.838, 1.0, 0.962, 0.666, 0.981, 0.978},
            {0.771, 0.590, 0.968, 0.654, 0.886, 0.916, 0.609, 0.563, 0.866, 1.0, 0.965, 0.614, votingCf, 0.946},
            {0.798, 0.569, 0.967, 0.657, 0.898, 0.931, 0.685, 0.625, 0.875, 1.0, 0.962, 0.669, 0.975, 0.970}
        };
        double[][] rows = new double[14][4];
        for (int i = 0; i < 14; i++) {
            for (int j = 0; j < 4; j++) {
                rows[i][j] = byMethod[j][i];
            }
        }
        return rows;
    }

    @Test
    void friedmanOnTable6WithTheVotingTieIsTieCorrected() {
        // voting: C4.5+cf and C4.5+m+cf both 0.975, the tie the tie correction is for
        Friedman f = Friedman.test(table6(0.975), false);
        assertEquals(10.952381, f.chiSquare(), 1e-6);
        assertEquals(0.0119862, f.p(), 1e-7);
        assertArrayEquals(new double[] {3.1429, 2.0000, 2.9286, 1.9286}, f.averageRanks(), 1e-4);
    }

    @Test
    void friedmanOnTable6AsScipysTestHasIt() {
        // scipy's test data has 0.9751 for voting C4.5+cf; the ranks are then Demšar's published 3.143 2.000 2.893
        // 1.964
        Friedman f = Friedman.test(table6(0.9751), false);
        assertEquals(10.2283464566929, f.chiSquare(), 1e-12);
        assertEquals(0.0167215803284414, f.p(), 1e-12);
        assertArrayEquals(new double[] {3.143, 2.000, 2.893, 1.964}, f.averageRanks(), 1e-3);
        // the paper's chi2_F = 9.28 is the statistic without the tie correction, from these ranks
        double squares = 0;
        for (double r : f.averageRanks()) {
            squares += r * r;
        }
        assertEquals(9.28, 12 * 14 / (4.0 * 5) * (squares - 4 * 25 / 4.0), 5e-3);
        // Iman-Davenport from its definition, (N-1) chi2 / (N(k-1) - chi2)
        assertEquals(13 * 10.2283464566929 / (14 * 3 - 10.2283464566929), f.imanDavenport(), 1e-9);
    }

    @Test
    void nemenyiCriticalDifferenceForFourMethodsOnFourteenDataSets() {
        assertEquals(1.254, CriticalDifference.nemenyi(4, 14, 0.05), 5e-4);
        assertEquals(1.118, CriticalDifference.nemenyi(4, 14, 0.10), 5e-4);
    }

    @Test
    void nemenyiQAlphaMatchesTable5a() {
        double[] at05 = {1.960, 2.344, 2.569, 2.728, 2.850, 2.948, 3.031, 3.102, 3.164};
        double[] at10 = {1.645, 2.052, 2.291, 2.459, 2.589, 2.693, 2.780, 2.855, 2.920};
        for (int k = 2; k <= 10; k++) {
            // the table's three decimals are sometimes cut rather than rounded (2.4595 is printed 2.459)
            assertEquals(at05[k - 2], CriticalDifference.nemenyiQ(k, 0.05), 1e-3, "k=" + k + " alpha 0.05");
            assertEquals(at10[k - 2], CriticalDifference.nemenyiQ(k, 0.10), 1e-3, "k=" + k + " alpha 0.10");
        }
    }

    @Test
    void holmAgainstControlAdjustsTheRankZTests() {
        double[] ranks = {3.143, 2.000, 2.893, 1.964};
        double[][] p = CriticalDifference.holmAgainstControl(ranks, 0, 14);
        double se = Math.sqrt(4 * 5 / (6.0 * 14));
        // z = 1.179 / 0.488 = 2.416 for C4.5+m+cf: p = 0.0157, the smallest, times 3
        assertEquals(Double.NaN, p[0][0]);
        assertEquals(2 * (1 - cdf((3.143 - 1.964) / se)), p[0][3], 1e-9);
        assertEquals(3 * p[0][3], p[1][3], 1e-12);
        assertEquals(Math.max(3 * p[0][3], 2 * p[0][1]), p[1][1], 1e-12);
        assertEquals(Math.min(1, Math.max(p[1][1], p[0][2])), p[1][2], 1e-12);
    }

    @Test
    void fiveSeedsCannotReachFivePercentWithTheExactWilcoxon() {
        assertEquals(0.0625, Wilcoxon.smallestExactP(5), 0);
        TestResult w = Wilcoxon.test(new double[] {1, 2, 3, 4, 5}, new double[] {0, 0, 0, 0, 0});
        assertEquals(0.0625, w.p(), 1e-15);
    }

    private static double cdf(double z) {
        return new org.apache.commons.math3.distribution.NormalDistribution(null, 0, 1).cumulativeProbability(z);
    }
}
