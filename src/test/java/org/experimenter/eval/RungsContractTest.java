package org.experimenter.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.experimenter.Experiment;
import org.experimenter.ExperimentContext;
import org.experimenter.Experimenter;
import org.experimenter.testing.Experiments.HalvingObjective;
import org.experimenter.testing.InProcessCli;
import org.experimenter.testing.TestDb;
import org.experimenter.testing.TestSpark;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eval --rung} on each database: a synchronous halving run of the synthetic objective
 * ({@link HalvingObjective}, plus 0.001 x seed, so the two seeds of a configuration differ), 9
 * configurations per data set, rungs at 1, 3 and 9 epochs, eta 3; the rung tables and the
 * survivors' paths are known exactly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RungsContractTest {
    static final String FIELDS = String.join(
            "\n",
            "keyfields {",
            "  dataset { type = string, values = [a, b] }",
            "  x { type = int, values = { start = 0, stop = 9 } }",
            "  seed { type = int, values = [0, 1] }",
            "  epochs { type = int }",
            "}",
            "resultfields { val_loss = double }",
            "");
    static final String HALVING = "halving { field = epochs, min = 1, max = 9, eta = 3, by = [dataset],"
            + " value = val_loss, lower-is-better = true }\n";

    /** The objective with a seed: seed 1 is 0.001 worse than seed 0; x = 7 of data set a fails at 1 epoch. */
    public static final class SeededObjective implements Experiment {
        private static final long serialVersionUID = 1L;

        @Override
        public void run(ExperimentContext ctx) {
            String dataset = ctx.parameters().getString("dataset");
            int x = ctx.parameters().getInt("x");
            double epochs = ctx.parameters().getDouble("epochs");
            if (dataset.equals("a") && x == 7 && epochs == 1) {
                throw new IllegalStateException("diverged");
            }
            ctx.results()
                    .put(
                            "val_loss",
                            HalvingObjective.loss(dataset, x, epochs)
                                    + 0.001 * ctx.parameters().getInt("seed"));
        }
    }

    @TempDir
    static Path dir;

    String table;
    Experimenter ex;

    abstract TestDb db();

    /** One run for all tests: they only read. */
    @BeforeAll
    void run() {
        table = TestDb.uniqueTable("rungs");
        ex = Experimenter.of(db().config(dir, table, FIELDS + HALVING));
        assertEquals(36, ex.fill());
        ex.run(TestSpark.session(), new SeededObjective());
    }

    @AfterAll
    void drop() {
        TestDb.store(ex).drop();
    }

    /** Rows as text, doubles to 4 places, so that the expected tables read as they print. */
    private static List<String> lines(ResultTable t) {
        List<String> out = new ArrayList<>();
        out.add(String.join(" ", t.columns()));
        for (List<Object> r : t.rows()) {
            List<String> cells = new ArrayList<>();
            for (Object v : r) {
                cells.add(v instanceof Double d ? String.format(Locale.ROOT, "%.4f", d) : String.valueOf(v));
            }
            out.add(String.join(" ", cells));
        }
        return out;
    }

    @Test
    void theRungTableRanksEachConfigurationsMeanOverSeedsWithinItsDataSetAndMarksItsFate() {
        Rungs.Tables t = Rungs.of(ex.config()).read(ex.evaluation(TestSpark.session()));
        assertEquals(
                List.of(
                        "rung epochs dataset x val_loss seeds rank mark",
                        "0 1 a 4 0.0405 2 1 promoted",
                        "0 1 a 3 1.0305 2 2 promoted",
                        "0 1 a 5 1.0505 2 3 promoted",
                        "0 1 a 2 2.0205 2 4 stopped",
                        "0 1 a 6 2.0605 2 5 stopped",
                        "0 1 a 1 3.0105 2 6 stopped",
                        "0 1 a 0 4.0005 2 7 stopped",
                        "0 1 a 8 4.0805 2 8 stopped",
                        "0 1 a 7 null 2 null stopped", // failed: no value, no rank, stopped by the cut
                        "1 3 a 5 0.0505 2 1 promoted",
                        "1 3 a 4 1.0405 2 2 stopped",
                        "1 3 a 3 2.0305 2 3 stopped",
                        "2 9 a 5 1.0505 2 1 done",
                        "0 1 b 2 0.0205 2 1 promoted",
                        "0 1 b 1 1.0105 2 2 promoted",
                        "0 1 b 3 1.0305 2 3 promoted",
                        "0 1 b 0 2.0005 2 4 stopped",
                        "0 1 b 4 2.0405 2 5 stopped",
                        "0 1 b 5 3.0505 2 6 stopped",
                        "0 1 b 6 4.0605 2 7 stopped",
                        "0 1 b 7 5.0705 2 8 stopped",
                        "0 1 b 8 6.0805 2 9 stopped",
                        "1 3 b 3 0.0305 2 1 promoted",
                        "1 3 b 2 1.0205 2 2 stopped",
                        "1 3 b 1 2.0105 2 3 stopped",
                        "2 9 b 3 1.0305 2 1 done"),
                lines(t.rungs()));
    }

    @Test
    void theSurvivorsPathsFollowParentIdThroughEveryRungTheyPassed() {
        Rungs.Tables t = Rungs.of(ex.config()).read(ex.evaluation(TestSpark.session()));
        assertEquals(
                List.of(
                        "dataset x val_loss@1 val_loss@3 val_loss@9 mark",
                        "a 5 1.0505 0.0505 1.0505 done",
                        "b 3 1.0305 0.0305 1.0305 done"),
                lines(t.paths()));
    }

    @Test
    void aWhereConditionNarrowsTheRungsAndThePathsEndAtTheHighestRungSoFar() {
        Rungs.Tables t =
                Rungs.of(ex.config()).read(ex.evaluation(TestSpark.session()).where("dataset = 'b' AND epochs <= 3"));
        assertEquals(
                List.of(
                        "dataset x val_loss@1 val_loss@3 mark",
                        "b 3 1.0305 0.0305 promoted",
                        "b 2 0.0205 1.0205 stopped",
                        "b 1 1.0105 2.0105 stopped"),
                lines(t.paths()));
        assertEquals(12, t.rungs().size());
    }

    @Test
    void evalRungWritesThePathsAsCsvAndRefusesAConfigWithoutAHalvingSection() throws Exception {
        String database = databaseSection();
        Path conf = Files.writeString(dir.resolve("rungs.conf"), database + FIELDS + HALVING + SPARK);
        String[] csv = InProcessCli.run("eval", "-c", conf.toString(), "--rung", "--paths", "--format", "csv");
        assertEquals("0", csv[0], csv[2]);
        assertEquals(
                "dataset,x,val_loss@1,val_loss@3,val_loss@9,mark\n"
                        + "a,5,1.0505,0.0505,1.0505,done\n"
                        + "b,3,1.0305,0.0305,1.0305,done\n",
                csv[1]);
        String[] text = InProcessCli.run("eval", "-c", conf.toString(), "--rung");
        assertEquals("0", text[0], text[2]);
        assertTrue(text[1].startsWith("rungs of epochs (val_loss, lower is better; the mean over seeds):"), text[1]);
        assertTrue(text[1].contains("survivors' paths"), text[1]);

        Path flat = Files.writeString(dir.resolve("flat.conf"), database + FIELDS + SPARK);
        String[] refused = InProcessCli.run("eval", "-c", flat.toString(), "--rung");
        assertEquals("1", refused[0]);
        assertEquals(
                "error: " + flat + ": --rung needs a halving section; this config has none (see docs/halving.md)",
                refused[2].strip());
    }

    @Test
    void withHyperbandBracketsEachBracketsRungsAreRankedAloneAndEachBracketHasItsSurvivors() {
        // rungs 1, 3, 9 by eta 3: s=2: 9 x 1, 3 x 3, 1 x 9; s=1: 5 x 3, 1 x 9; s=0: 3 x 9, per data set
        String fields = FIELDS.replace("stop = 9", "stop = 20").replace("  seed { type = int, values = [0, 1] }\n", "");
        Experimenter hb = Experimenter.of(
                db().config(dir, TestDb.uniqueTable("rungs_hb"), fields + HALVING.replace(" }", ", brackets = 3 }")));
        try {
            assertEquals(34, hb.fill());
            hb.run(TestSpark.session(), new HalvingObjective());
            Rungs.Tables t = Rungs.of(hb.config()).read(hb.evaluation(TestSpark.session()));
            assertEquals(
                    List.of("bracket", "rung", "epochs", "dataset", "x", "val_loss", "rank", "mark"),
                    t.rungs().columns());
            // bracket dataset epochs -> [configurations, promoted, ranks 1..n in order]
            java.util.Map<String, List<Integer>> seen = new java.util.TreeMap<>();
            java.util.Map<String, Integer> lastRank = new java.util.HashMap<>();
            for (List<Object> r : t.rungs().rows()) {
                String key = "s=" + r.get(0) + " " + r.get(3) + " " + r.get(2);
                List<Integer> n = seen.computeIfAbsent(key, k -> new ArrayList<>(List.of(0, 0)));
                n.set(0, n.get(0) + 1);
                n.set(1, n.get(1) + ("promoted".equals(r.get(7)) ? 1 : 0));
                if (r.get(6) == null) {
                    // x = 7 of data set a fails at 1 epoch: no value, no rank, last, stopped
                    assertEquals("a 7 1 stopped", r.get(3) + " " + r.get(4) + " " + r.get(2) + " " + r.get(7));
                    continue;
                }
                assertEquals(lastRank.getOrDefault(key, 0) + 1, r.get(6), "ranks in order within " + key);
                lastRank.put(key, (Integer) r.get(6));
                assertEquals(
                        HalvingObjective.loss(
                                (String) r.get(3), ((Number) r.get(4)).intValue(), ((Number) r.get(2)).doubleValue()),
                        (Double) r.get(5),
                        1e-9);
            }
            java.util.Map<String, List<Integer>> expected = new java.util.TreeMap<>();
            for (String d : List.of("a", "b")) {
                expected.put("s=2 " + d + " 1", List.of(9, 3));
                expected.put("s=2 " + d + " 3", List.of(3, 1));
                expected.put("s=2 " + d + " 9", List.of(1, 0));
                expected.put("s=1 " + d + " 3", List.of(5, 1));
                expected.put("s=1 " + d + " 9", List.of(1, 0));
                expected.put("s=0 " + d + " 9", List.of(3, 0));
            }
            assertEquals(expected, seen);
            assertEquals(2, t.rungs().rows().get(0).get(0), "bracket s_max first");

            assertEquals(
                    List.of("bracket", "dataset", "x", "val_loss@1", "val_loss@3", "val_loss@9", "mark"),
                    t.paths().columns());
            // per data set one survivor of s=2 and of s=1, and the three of s=0, each on the rungs its bracket has
            List<String> shape = new ArrayList<>();
            for (List<Object> r : t.paths().rows()) {
                shape.add(r.get(0) + " " + r.get(1) + " " + (r.get(3) != null) + " " + (r.get(4) != null) + " "
                        + (r.get(5) != null) + " " + r.get(6));
                assertEquals(
                        HalvingObjective.loss((String) r.get(1), ((Number) r.get(2)).intValue(), 9),
                        (Double) r.get(5),
                        1e-9);
            }
            assertEquals(
                    List.of(
                            "2 a true true true done",
                            "2 b true true true done",
                            "1 a false true true done",
                            "1 b false true true done",
                            "0 a false false true done",
                            "0 a false false true done",
                            "0 a false false true done",
                            "0 b false false true done",
                            "0 b false false true done",
                            "0 b false false true done"),
                    shape);
        } finally {
            TestDb.store(hb).drop();
        }
    }

    private static final String SPARK = "spark.master = \"local[2]\"\nspark.conf { \"spark.ui.enabled\" = false }\n";

    private String databaseSection() {
        StringBuilder conf = new StringBuilder();
        db().database(dir, table)
                .forEach((k, v) -> conf.append(k).append(" = \"").append(v).append("\"\n"));
        return conf.toString();
    }
}
