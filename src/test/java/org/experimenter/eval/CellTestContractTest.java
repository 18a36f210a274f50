package org.experimenter.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.experimenter.Experimenter;
import org.experimenter.ExperimenterException;
import org.experimenter.RunSummary;
import org.experimenter.Status;
import org.experimenter.testing.TestDb;
import org.experimenter.testing.TestSpark;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eval --test}: the marks and p-values of a pivot (rows dataset, columns method, value score, paired by seed)
 * on each database, against scipy 1.10.1 and statsmodels 0.13.5. The scores are {@link #SCORES}; d2/C/seed 7 fails,
 * so C and B share 7 seeds on d2; d2's A and B are equal at seed 0 (a zero difference, so the normal approximation);
 * some differences tie (d2 B - C: 0.1, 0.07 twice each; d1 C - B: 0.011 twice), which takes the normal approximation
 * too, as scipy from 1.13 on (1.10.1's default would stay exact, so the script names the method).
 *
 * <p>The expected values were computed with Debian's python3-scipy by this script ({@code /usr/bin/python3}):
 *
 * <pre>
 * import numpy as np
 * from scipy import stats
 * from statsmodels.stats.multitest import multipletests
 * V = {("d1", "A"): [0.90, 0.91, 0.89, 0.92, 0.88, 0.90, 0.93, 0.87],
 *      ("d1", "B"): [0.889, 0.887, 0.885, 0.889, 0.863, 0.892, 0.904, 0.856],
 *      ("d1", "C"): [0.912, 0.889, 0.896, 0.917, 0.898, 0.891, 0.915, 0.871],
 *      ("d2", "A"): [0.80, 0.816, 0.778, 0.812, 0.823, 0.765, 0.791, 0.837],
 *      ("d2", "B"): [0.80, 0.82, 0.79, 0.81, 0.83, 0.78, 0.80, 0.84],
 *      ("d2", "C"): [0.70, 0.75, 0.72, 0.71, 0.74, 0.73, 0.76, None]}  # d2/C/seed 7 fails
 * def run(test, against=None, lower=False, seeds=8):
 *     for d in ("d1", "d2"):
 *         cell = {m: {s: v for s, v in enumerate(V[d, m][:seeds]) if v is not None} for m in "ABC"}
 *         mean = {m: np.mean(list(cell[m].values())) for m in "ABC"}
 *         ref = against or (min if lower else max)(mean, key=mean.get)
 *         ps = {}
 *         for m in "ABC":
 *             if m == ref: continue
 *             s = [k for k in cell[m] if k in cell[ref]]
 *             x, y = [cell[m][k] for k in s], [cell[ref][k] for k in s]
 *             ad = np.abs(np.subtract(x, y))  # the project's rule: ties or zeros take the normal approximation
 *             exact = len(ad) <= 50 and 0 not in ad and len(set(ad)) == len(ad)
 *             w = lambda: stats.wilcoxon(x, y, method="exact" if exact else "approx")
 *             ps[m] = (w() if test == "wilcoxon" else stats.ttest_rel(x, y)).pvalue
 *         holm = dict(zip(ps, multipletests(list(ps.values()), method="holm")[1]))
 *         print(test, against, lower, seeds, d, "ref", ref, {m: (repr(ps[m]), repr(holm[m])) for m in ps})
 * run("wilcoxon"); run("ttest"); run("wilcoxon", against="C"); run("wilcoxon", lower=True); run("wilcoxon", seeds=5)
 * </pre>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class CellTestContractTest {
    static final Map<String, double[]> SCORES = Map.of(
            "d1/A", new double[] {0.90, 0.91, 0.89, 0.92, 0.88, 0.90, 0.93, 0.87},
            "d1/B", new double[] {0.889, 0.887, 0.885, 0.889, 0.863, 0.892, 0.904, 0.856},
            "d1/C", new double[] {0.912, 0.889, 0.896, 0.917, 0.898, 0.891, 0.915, 0.871},
            "d2/A", new double[] {0.80, 0.816, 0.778, 0.812, 0.823, 0.765, 0.791, 0.837},
            "d2/B", new double[] {0.80, 0.82, 0.79, 0.81, 0.83, 0.78, 0.80, 0.84},
            "d2/C", new double[] {0.70, 0.75, 0.72, 0.71, 0.74, 0.73, 0.76, Double.NaN});

    private static final double TOLERANCE = 1e-9;

    Experimenter ex;
    SparkSession spark = TestSpark.session();

    abstract TestDb db();

    @BeforeAll
    void fillAndRun(@TempDir Path dir) {
        String table = TestDb.uniqueTable("celltest");
        ex = Experimenter.of(db().config(
                        dir,
                        table,
                        String.join(
                                "\n",
                                "keyfields {",
                                "  dataset { type = string, values = [d1, d2] }",
                                "  method { type = string, values = [A, B, C] }",
                                "  seed { type = int, values = { start = 0, stop = 8 } }",
                                "}",
                                "resultfields { score = double }",
                                "")));
        assertEquals(48, ex.fill());
        RunSummary s = ex.run(spark, ctx -> {
            String cell = ctx.parameters().getString("dataset") + "/"
                    + ctx.parameters().getString("method");
            double v = SCORES.get(cell)[ctx.parameters().getInt("seed")];
            if (Double.isNaN(v)) {
                throw new IllegalStateException("d2/C fails for seed 7 on purpose");
            }
            ctx.results().put("score", v);
        });
        assertEquals(47, s.count(Status.DONE));
    }

    @AfterAll
    void dropTable() {
        ex.drop();
    }

    private ResultTable pivot(String where, boolean lower, CellTest test) {
        return ex.evaluation(spark).where(where).pivot(List.of("dataset"), List.of("method"), "score", lower, test);
    }

    private static void assertP(ResultTable t, int row, String method, double p, double pHolm, int pairs) {
        String what = t.get(row, "dataset") + "/" + method;
        assertEquals(p, ((Number) t.get(row, method + "_p")).doubleValue(), TOLERANCE, what + " p");
        assertEquals(pHolm, ((Number) t.get(row, method + "_p_holm")).doubleValue(), TOLERANCE, what + " p_holm");
        assertEquals(pairs, t.get(row, method + "_pairs"), what + " pairs");
    }

    private static void assertReference(ResultTable t, int row, String method) {
        assertNull(t.get(row, method + "_p"), "the reference has no test");
        assertTrue(t.isMarked(row, method));
    }

    @Test
    void wilcoxonAgainstTheBestMarksTheCellsNotSignificantlyWorseWithScipysPValues() {
        ResultTable t = pivot(null, false, CellTest.parse("wilcoxon", null, null));
        assertEquals("d1", t.get(0, "dataset"));
        assertReference(t, 0, "A");
        assertP(t, 0, "B", 0.0078125, 0.015625, 8);
        assertP(t, 0, "C", 0.84375, 0.84375, 8);
        assertEquals("A,C", t.get(0, "not_worse"));
        assertReference(t, 1, "B");
        assertP(t, 1, "A", 0.027991815485665747, 0.0355118452280721, 8); // a zero difference: normal approximation
        assertP(t, 1, "C", 0.01775592261403605, 0.0355118452280721, 7); // seed 7 of d2/C failed: 7 pairs, ties
        assertEquals("B", t.get(1, "not_worse"));
        assertEquals(List.of(true, false, true), List.of(t.isMarked(0, "A"), t.isMarked(0, "B"), t.isMarked(0, "C")));
        assertEquals(List.of(false, true, false), List.of(t.isMarked(1, "A"), t.isMarked(1, "B"), t.isMarked(1, "C")));

        List<String> legend = TableFormat.legend(t, "");
        assertTrue(
                legend.get(0)
                        .startsWith(
                                "not significantly worse than the row's best (its highest mean, bold,"
                                        + " itself marked) at alpha 0.05: two-sided Wilcoxon signed-rank test over the values of seed"),
                legend.get(0));
        assertTrue(legend.get(1).contains("zero_method='wilcox'"), legend.get(1));
        assertEquals(
                "pairs per test: 8 in 3 tests, 7 in 1 test; 1 value of seed dropped for pairing (present in only"
                        + " one of the two cells); 1 zero difference dropped by the test",
                legend.get(2));
        assertEquals(3, legend.size(), "8 pairs reach small p-values: no warning");

        String console = TableFormat.CONSOLE.render(t, 3);
        assertTrue(console.contains("0.900 ± 0.020*†"), console);
        assertTrue(console.contains("0.883 ± 0.016  "), console);
        String md = TableFormat.MARKDOWN.render(t, 3);
        assertTrue(md.contains("| **0.900 ± 0.020**† | 0.883 ± 0.016 | 0.899 ± 0.016† |"), md);
        assertTrue(md.contains("\n† not significantly worse"), md);
        String tex = TableFormat.LATEX.render(t, 3);
        assertTrue(
                tex.contains("\\textbf{\\underline{0.900 $\\pm$ 0.020}} & 0.883 $\\pm$ 0.016"
                        + " & \\underline{0.899 $\\pm$ 0.016}"),
                tex);
        assertTrue(tex.contains("{\\footnotesize Underlined: not significantly worse"), tex);
        String csv = TableFormat.CSV.render(t, 4);
        assertTrue(
                csv.startsWith("dataset,A,A_std,B,B_std,C,C_std,best,A_p,A_p_holm,A_pairs,B_p,B_p_holm,B_pairs,"
                        + "C_p,C_p_holm,C_pairs,not_worse\n"),
                csv);
        String json = TableFormat.JSON.render(t);
        assertTrue(json.contains("\"B_p\": 0.0078125, \"B_p_holm\": 0.015625, \"B_pairs\": 8"), json);
        TableFormat.Shown shown = TableFormat.shown(t, 3);
        assertEquals(List.of(false, true, false, true), shown.marked().get(0));
        assertTrue(shown.legend().get(0).startsWith("underlined: not significantly worse"));
    }

    @Test
    void pairedTTestGivesScipysTtestRel() {
        ResultTable t = pivot(null, false, CellTest.parse("ttest", null, null));
        assertP(t, 0, "B", 0.0012116755479208026, 0.0024233510958416053, 8);
        assertP(t, 0, "C", 0.7791074311210192, 0.7791074311210192, 8);
        assertP(t, 1, "A", 0.023042544669032213, 0.023042544669032213, 8);
        assertP(t, 1, "C", 0.00016675210091756558, 0.00033350420183513117, 7);
        assertEquals(List.of("A,C", "B"), List.of(t.get(0, "not_worse"), t.get(1, "not_worse")));
        assertTrue(TableFormat.legend(t, "").get(0).contains("two-sided paired t-test"));
    }

    @Test
    void againstAControlMarksTheCellsNotSignificantlyWorseThanIt() {
        ResultTable t = pivot(null, false, CellTest.parse("wilcoxon", 0.05, "C"));
        assertReference(t, 0, "C");
        assertP(t, 0, "A", 0.84375, 0.84375, 8);
        assertP(t, 0, "B", 0.017153601700200603, 0.03430720340040121, 8);
        assertEquals("A,C", t.get(0, "not_worse"));
        // on d2 A and B are significantly better than C: not worse, so marked
        assertP(t, 1, "A", 0.015625, 0.03125, 7);
        assertP(t, 1, "B", 0.01775592261403605, 0.03125, 7);
        assertEquals("A,B,C", t.get(1, "not_worse"));
        assertTrue(TableFormat.legend(t, "").get(0).startsWith("not significantly worse than the control C at"));
        ExperimenterException e = assertThrows(
                ExperimenterException.class, () -> pivot(null, false, CellTest.parse("wilcoxon", null, "D")));
        assertEquals("--against D: no such column; the columns are [A, B, C] (or --against best)", e.getMessage());
    }

    @Test
    void lowerIsBetterTestsAgainstTheLowestMean() {
        ResultTable t = pivot(null, true, CellTest.parse("wilcoxon", null, "best"));
        assertReference(t, 0, "B");
        assertP(t, 0, "A", 0.0078125, 0.015625, 8);
        assertP(t, 0, "C", 0.017153601700200603, 0.017153601700200603, 8);
        assertReference(t, 1, "C");
        assertP(t, 1, "A", 0.015625, 0.03125, 7);
        assertP(t, 1, "B", 0.01775592261403605, 0.03125, 7);
        assertEquals(List.of("B", "C"), List.of(t.get(0, "not_worse"), t.get(1, "not_worse")));
    }

    @Test
    void withFiveSeedsTheLegendSaysAnExactWilcoxonCannotGoBelow0_0625() {
        ResultTable t = pivot("seed < 5", false, CellTest.parse("wilcoxon", null, null));
        assertReference(t, 0, "C");
        assertP(t, 0, "A", 0.8125, 0.8125, 5);
        assertP(t, 0, "B", 0.0625, 0.125, 5);
        assertP(t, 1, "A", 0.14412703481601533, 0.14412703481601533, 5);
        assertP(t, 1, "C", 0.04216819709715596, 0.08433639419431192, 5); // tied differences: normal approximation
        assertEquals(List.of("A,B,C", "A,B,C"), List.of(t.get(0, "not_worse"), t.get(1, "not_worse")));
        assertTrue(
                TableFormat.legend(t, "")
                        .contains("with 5 pairs an exact two-sided Wilcoxon test cannot give a p-value below 0.0625,"
                                + " not below alpha 0.05: 2 of 4 tests could not mark a cell significantly worse"
                                + " whatever the values (6 pairs can reach 0.03125; or --test ttest)"),
                TableFormat.legend(t, "").toString());
    }

    @Test
    void aTestNeedsSeedsToPairBy() {
        ExperimenterException e = assertThrows(
                ExperimenterException.class,
                () -> ex.evaluation(spark)
                        .over(List.of())
                        .where("seed = 0")
                        .pivot(
                                List.of("dataset"),
                                List.of("method"),
                                "score",
                                false,
                                CellTest.parse("ttest", null, null)));
        assertTrue(e.getMessage().startsWith("--test pairs the cells by the --over keyfields"), e.getMessage());
        assertThrows(ExperimenterException.class, () -> CellTest.parse("sign", null, null));
        assertThrows(ExperimenterException.class, () -> CellTest.parse("ttest", 1.5, null));
    }
}
