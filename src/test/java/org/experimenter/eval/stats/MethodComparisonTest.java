package org.experimenter.eval.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.experimenter.ExperimenterException;
import org.junit.jupiter.api.Test;

/** The comparison of methods over data sets, on Demšar's Table 6 (the values in DemsarTableTest). */
class MethodComparisonTest {
    static final List<String> METHODS = List.of("C4.5", "C4.5+m", "C4.5+cf", "C4.5+m+cf");

    static List<String> datasets(int n) {
        List<String> d = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            d.add("d" + i);
        }
        return d;
    }

    @Test
    void givenTable6WhenComparedThenFriedmanRanksCriticalDifferencesAndScipysPairwiseWilcoxon() throws IOException {
        MethodComparison c = MethodComparison.of(datasets(14), METHODS, DemsarTableTest.table6(0.975), 0.05, false, 0);
        assertEquals(10.952381, c.friedman().chiSquare(), 1e-6);
        assertArrayEquals(
                new double[] {3.1429, 2.0000, 2.9286, 1.9286}, c.friedman().averageRanks(), 1e-4);
        assertEquals(1.254, c.nemenyi(), 5e-4);
        // Bonferroni-Dunn: z(1 - 0.05/6) = 2.394 times sqrt(4 * 5 / (6 * 14))
        assertEquals(2.3939797998185104 * Math.sqrt(20 / 84.0), c.bonferroniDunn(), 1e-9);
        List<String[]> expected = ScipyReferenceTest.lines("demsar_pair");
        assertEquals(6, c.pairwise().size());
        for (int i = 0; i < 6; i++) {
            String[] f = expected.get(i);
            MethodComparison.Pair p = c.pairwise().get(i);
            assertEquals(METHODS.get(Integer.parseInt(f[1])), p.a());
            assertEquals(METHODS.get(Integer.parseInt(f[2])), p.b());
            assertEquals(Double.parseDouble(f[3]), p.test().statistic(), 1e-9, p.a() + " vs " + p.b());
            assertEquals(Double.parseDouble(f[4]), p.test().p(), 1e-9, p.a() + " vs " + p.b());
            assertEquals(Double.parseDouble(f[5]), p.pHolm(), 1e-9, p.a() + " vs " + p.b());
        }
        assertTrue(c.leftOut().isEmpty());
    }

    @Test
    void aDataSetWithoutAValueForSomeMethodIsLeftOutAndNamed() {
        double[][] x = DemsarTableTest.table6(0.975);
        double[][] withGap = Arrays.copyOf(x, 15);
        withGap[14] = new double[] {0.9, Double.NaN, 0.8, 0.7};
        List<String> names = datasets(15);
        MethodComparison c = MethodComparison.of(names, METHODS, withGap, 0.05, false, -1);
        assertEquals(List.of("d14 (no value for C4.5+m)"), c.leftOut());
        assertEquals(14, c.datasets().size());
        assertEquals(10.952381, c.friedman().chiSquare(), 1e-6, "the same test as without d14");
    }

    @Test
    void lowerIsBetterReversesTheRanks() {
        MethodComparison c = MethodComparison.of(datasets(14), METHODS, DemsarTableTest.table6(0.975), 0.05, true, -1);
        assertArrayEquals(
                new double[] {5 - 3.1429, 5 - 2.0000, 5 - 2.9286, 5 - 1.9286},
                c.friedman().averageRanks(),
                1e-4);
    }

    @Test
    void jsonHasTheDocumentedKeys() {
        MethodComparison c = MethodComparison.of(datasets(14), METHODS, DemsarTableTest.table6(0.975), 0.05, false, -1);
        String json = ComparisonFormat.write(c, "json", "mean AUC");
        assertTrue(
                json.startsWith("{\"n_datasets\": 14, \"n_methods\": 4, \"ranks\": {\"C4.5\": 3.142857142857143, "),
                json);
        assertTrue(json.contains("\"critical_difference\": {\"nemenyi\": 1.25"), json);
        assertTrue(json.contains("\"pairwise\": ["), json);
        assertTrue(json.contains("\"left_out\": []"), json);
    }

    @Test
    void fewerThanTwoCompleteDataSetsIsOneClearError() {
        double[][] x = {{1, 2}, {Double.NaN, 3}};
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> MethodComparison.of(List.of("a", "b"), List.of("m", "n"), x, 0.05, false, -1));
        assertEquals(
                "1 data set with a value for every method; the comparison needs at least two, left out: b (no value"
                        + " for m)",
                e.getMessage());
        assertThrows(ExperimenterException.class, () -> ComparisonFormat.parse("csv"));
    }

    @Test
    void whenEveryDataSetRanksAlikeTheImanDavenportFIsInfiniteAndNullInJson() {
        double[][] x = {{1, 2, 3}, {2, 3, 4}, {0, 5, 9}};
        MethodComparison c = MethodComparison.of(datasets(3), List.of("a", "b", "c"), x, 0.05, false, 0);
        assertEquals(6.0, c.friedman().chiSquare(), 1e-12);
        String json = ComparisonFormat.write(c, "json", "x");
        assertTrue(json.contains("\"iman_davenport\": {\"statistic\": null, \"p\": 0.0}"), json);
        assertTrue(ComparisonFormat.write(c, "text", "x").contains("only 3 data sets"));
    }

    /**
     * Every pair of methods is tested: 20,000 methods (a keyfield with many values, asked for by a
     * web page's /api/compare) were 200 million Wilcoxon tests and Pair records on the web view's
     * one Spark thread (the old code was still at it when this test's 30 s timeout fired); now
     * refused at once with one line.
     */
    @Test
    void tooManyMethodsAreRefusedBeforeTheirPairsAreTested() {
        int k = 20_000;
        List<String> methods = new java.util.ArrayList<>();
        for (int j = 0; j < k; j++) {
            methods.add("m" + j);
        }
        double[][] values = new double[3][k];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < k; j++) {
                values[i][j] = i + j * 0.001;
            }
        }
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class,
                () -> org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                        java.time.Duration.ofSeconds(30),
                        () -> MethodComparison.of(datasets(3), methods, values, 0.05, false, -1)));
        assertEquals(
                "20000 methods; a comparison tests every pair and takes at most 500 (narrow them with --where)",
                e.getMessage());
        assertEquals(null, MethodComparison.sizeProblem(500, 160));
        assertEquals(
                "124750 pairs of methods over 161 data sets; a comparison takes at most 20000000 pair values"
                        + " (pairs x data sets; narrow them with --where)",
                MethodComparison.sizeProblem(500, 161));
    }

    /**
     * Names from the table reach the LaTeX output's comments (the control method, the data sets
     * left out): a data set named "d\\n\\input{/etc/passwd}" ended the comment, and its second
     * line was LaTeX that reads a file when the document is compiled.
     */
    @Test
    void namesWithLineBreaksStayInsideTheLatexComments() {
        List<String> names = new java.util.ArrayList<>(datasets(14));
        names.set(13, "d14\n\\input{/etc/passwd}\r\nx");
        double[][] withGap = DemsarTableTest.table6(0.975);
        withGap[13][1] = Double.NaN;
        MethodComparison c = MethodComparison.of(names, METHODS, withGap, 0.05, false, 0);
        String tex = ComparisonFormat.write(c, "latex", "mean accuracy");
        for (String line : tex.split("\\R")) {
            if (line.contains("passwd") || line.equals("x")) {
                assertTrue(line.startsWith("% "), "outside a comment: " + line);
            }
        }
        assertTrue(tex.contains("% \\input{/etc/passwd}\n% x"), tex);
    }

    /**
     * TeX reads ^^5c as a backslash, and the old escaping kept '^', '{' and '}': a method named
     * "m^^5cinput{/etc/passwd}" put \\input{/etc/passwd} into the LaTeX table and the TikZ
     * diagram, and a '}' ended a TikZ node's text.
     */
    @Test
    void methodNamesAreLatexThatPrintsThemInTheTableAndTheDiagram() {
        List<String> methods = List.of("C4.5", "m^^5cinput{/etc/passwd}", "x} \\node {y", "C4.5+m+cf");
        MethodComparison c = MethodComparison.of(datasets(14), methods, DemsarTableTest.table6(0.975), 0.05, false, -1);
        for (String tex : List.of(
                ComparisonFormat.write(c, "latex", "mean accuracy"),
                CdDiagram.of(c).tikz())) {
            assertTrue(!tex.contains("^^") && !tex.contains("{/etc/passwd}") && !tex.contains("x} "), tex);
            assertTrue(tex.contains("m\\textasciicircum{}\\textasciicircum{}5cinput\\{/etc/passwd\\}"), tex);
            assertTrue(tex.contains("x\\} \\textbackslash{}node \\{y"), tex);
        }
    }
}
