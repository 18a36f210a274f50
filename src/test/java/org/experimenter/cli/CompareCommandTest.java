package org.experimenter.cli;

import static org.experimenter.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.experimenter.Experiment;
import org.experimenter.ExperimentContext;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code experimenter compare} on a SQLite file: three methods on six data sets, three seeds each. */
class CompareCommandTest {
    @TempDir
    Path dir;

    /**
     * score = 0.5, 0.6, 0.7 for methods a, b, c, plus (method index + 1) d^2 / 1000 for data set d, plus seed / 1000:
     * c beats b beats a on every data set, by differences that never tie.
     */
    public static final class Graded implements Experiment {
        private static final long serialVersionUID = 1L;

        @Override
        public void run(ExperimentContext ctx) {
            int m = "abc".indexOf(ctx.parameters().getString("method"));
            int d = ctx.parameters().getInt("dataset");
            ctx.results()
                    .put(
                            "score",
                            0.5
                                    + m / 10.0
                                    + (m + 1) * d * d / 1000.0
                                    + ctx.parameters().getInt("seed") / 1000.0);
        }
    }

    @Test
    void givenAConsistentOrderWhenComparedThenFriedmanIsNTimesKMinusOneAndFiveSeedsOfWilcoxonCannotReachFivePercent()
            throws Exception {
        Path conf = dir.resolve("compare.conf");
        Files.writeString(
                conf,
                String.join(
                        "\n",
                        "database { url = \"jdbc:sqlite:" + dir.resolve("compare.db") + "\", table = "
                                + TestDb.uniqueTable("cmp") + " }",
                        "keyfields {",
                        "  method { type = string, values = [a, b, c] }",
                        "  dataset { type = int, values = { start = 1, stop = 7 } }",
                        "  seed { type = int, values = [0, 1, 2] }",
                        "}",
                        "resultfields { score = double }",
                        "experiment-class = \"" + Graded.class.getName() + "\"",
                        "spark { master = \"local[2]\", conf { \"spark.ui.enabled\" = false } }",
                        ""));
        String c = conf.toString();
        assertEquals("0", run("fill", "--config", c)[0]);
        String[] r = run("run", "--config", c);
        assertEquals("0", r[0], r[2]);

        // data set 6 loses method a: left out, so 5 data sets remain
        String[] json = run(
                "compare",
                "-c",
                c,
                "--methods",
                "method",
                "--datasets",
                "dataset",
                "--value",
                "score",
                "--where",
                "NOT (dataset = 6 AND method = 'a')",
                "--control",
                "a",
                "--format",
                "json");
        assertEquals("0", json[0], json[2]);
        String out = json[1];
        assertTrue(
                out.startsWith("{\"n_datasets\": 5, \"n_methods\": 3, \"ranks\": {\"a\": 3.0, \"b\": 2.0, \"c\": 1.0}"),
                out);
        // chi2 = N (k - 1) = 10 when every data set ranks alike; with 2 df its tail is exp(-10 / 2)
        assertTrue(out.contains("\"friedman\": {\"statistic\": 10.0, \"p\": 0.006737946999085"), out);
        // 5 data sets, all differences one way: exact p = 2 / 2^5, times 3 (then monotone) by Holm
        assertTrue(
                out.contains("{\"a\": \"a\", \"b\": \"b\", \"test\": \"wilcoxon\", \"statistic\": 0.0, \"p\": 0.0625,"
                        + " \"p_holm\": 0.1875}"),
                out);
        assertTrue(out.contains("\"left_out\": [\n  \"6 (no value for a)\"\n]"), out);
        // against control a: z = (3 - 1) / sqrt(3 * 4 / (6 * 5)) = sqrt(10) for c; scipy 2 * norm.sf(sqrt(10)) is
        // 0.001565402258002548, Holm doubles it
        assertTrue(out.contains("{\"method\": \"c\", \"p\": 0.00156540225800"), out);
        assertTrue(out.contains("\"p_holm\": 0.00313080451600"), out);
        assertTrue(
                json[2].contains("left out 1 data set(s) without a value for every method: 6 (no value for a)"),
                json[2]);

        Path svg = dir.resolve("cd.svg");
        String[] text = run(
                "compare",
                "-c",
                c,
                "--methods",
                "method",
                "--datasets",
                "dataset",
                "--value",
                "score",
                "--cd-diagram",
                svg.toString());
        assertEquals("0", text[0], text[2]);
        assertTrue(
                text[1].startsWith("3 methods on 6 data sets, mean score over seed, higher is better; rank 1 is the"
                        + " best\nFriedman chi2(2) = 12.0000, p = 0.0025"),
                text[1]);

        // a number-valued keyfield as the methods: columns dataset=1 ..., and --control 2 finds dataset=2
        String[] byNumber = run(
                "compare",
                "-c",
                c,
                "--methods",
                "dataset",
                "--datasets",
                "method",
                "--value",
                "score",
                "--control",
                "2",
                "--format",
                "json");
        assertEquals("0", byNumber[0], byNumber[2]);
        assertTrue(byNumber[1].contains("\"control\": {\"method\": \"dataset=2\""), byNumber[1]);
        assertEquals(
                "error: --control z: no such value of method; the methods are [a, b, c]\n",
                run(
                        "compare",
                        "-c",
                        c,
                        "--methods",
                        "method",
                        "--datasets",
                        "dataset",
                        "--value",
                        "score",
                        "--control",
                        "z")[2]);
        assertEquals(
                "error: --datasets sed: no such keyfield; the keyfields are [method, dataset, seed]\n",
                run("compare", "-c", c, "--methods", "method", "--datasets", "sed", "--value", "score")[2]);
    }
}
