package org.experimenter.eval.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The tests against scipy 1.10.1 and statsmodels 0.13.5 on generated data: src/test/resources/stats/reference.tsv,
 * written by make_reference.py beside it.
 */
class ScipyReferenceTest {
    private static final double TOLERANCE = 1e-9;

    static List<String[]> lines(String kind) throws IOException {
        List<String[]> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                ScipyReferenceTest.class.getResourceAsStream("/stats/reference.tsv"), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                String[] f = line.split("\t");
                if (f[0].equals(kind)) {
                    out.add(f);
                }
            }
        }
        assertTrue(out.size() > 0, "no " + kind + " line in reference.tsv");
        return out;
    }

    static double[] numbers(String csv) {
        return Arrays.stream(csv.split(",")).mapToDouble(Double::parseDouble).toArray();
    }

    @Test
    void wilcoxonGivesScipysStatisticAndPValueExactAndApproximate() throws IOException {
        int exact = 0;
        for (String[] f : lines("wilcoxon")) {
            TestResult w = Wilcoxon.test(numbers(f[1]), numbers(f[2]));
            String what = "wilcoxon " + f[1] + " vs " + f[2];
            assertEquals(Double.parseDouble(f[3]), w.statistic(), TOLERANCE, what);
            assertEquals(Double.parseDouble(f[4]), w.p(), TOLERANCE, what);
            assertEquals(f[5].equals("exact") ? "exact" : "normal approximation", w.method(), what);
            exact += f[5].equals("exact") ? 1 : 0;
        }
        assertTrue(exact >= 10, "the reference covers the exact distribution");
    }

    @Test
    void pairedTTestGivesScipysTtestRel() throws IOException {
        for (String[] f : lines("ttest")) {
            TestResult t = PairedT.test(numbers(f[1]), numbers(f[2]));
            assertEquals(Double.parseDouble(f[3]), t.statistic(), TOLERANCE, "t of " + f[1]);
            assertEquals(Double.parseDouble(f[4]), t.p(), TOLERANCE, "p of " + f[1]);
        }
    }

    @Test
    void holmGivesStatsmodelsMultipletests() throws IOException {
        for (String[] f : lines("holm")) {
            double[] expected = numbers(f[2]);
            double[] actual = Holm.adjust(numbers(f[1]));
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-12, "holm of " + f[1]);
            }
        }
    }

    @Test
    void friedmanAndImanDavenportGiveScipysChiSquareAndFTails() throws IOException {
        for (String[] f : lines("friedman")) {
            int n = Integer.parseInt(f[1]);
            int k = Integer.parseInt(f[2]);
            double[] flat = numbers(f[3]);
            double[][] x = new double[n][];
            for (int i = 0; i < n; i++) {
                x[i] = Arrays.copyOfRange(flat, i * k, (i + 1) * k);
            }
            Friedman r = Friedman.test(x, false);
            assertEquals(Double.parseDouble(f[4]), r.chiSquare(), 1e-9, "chi2 " + n + "x" + k);
            assertEquals(Double.parseDouble(f[5]), r.p(), 1e-9, "p " + n + "x" + k);
            assertEquals(Double.parseDouble(f[6]), r.imanDavenport(), 1e-9, "F " + n + "x" + k);
            assertEquals(Double.parseDouble(f[7]), r.pImanDavenport(), 1e-9, "p(F) " + n + "x" + k);
        }
    }

    @Test
    void studentizedRangeQuantileWithInfiniteDfIsScipys() throws IOException {
        for (String[] f : lines("qrange")) {
            int k = Integer.parseInt(f[1]);
            double alpha = Double.parseDouble(f[2]);
            assertEquals(
                    Double.parseDouble(f[3]), StudentizedRange.quantile(1 - alpha, k), 1e-6, "k=" + k + " a=" + alpha);
        }
    }

    @Test
    void bonferroniDunnQAlphaIsScipysNormalQuantile() throws IOException {
        for (String[] f : lines("dunn")) {
            int k = Integer.parseInt(f[1]);
            double alpha = Double.parseDouble(f[2]);
            assertEquals(Double.parseDouble(f[3]), CriticalDifference.bonferroniDunnQ(k, alpha), 1e-9, "k=" + k);
        }
    }
}
