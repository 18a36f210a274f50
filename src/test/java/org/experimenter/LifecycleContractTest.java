package org.experimenter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.sql.Row;
import org.experimenter.testing.PerTestTable;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.Test;

/** The experiment lifecycle beyond a plain run, on each database. */
abstract class LifecycleContractTest extends PerTestTable {
    static final String CONF = String.join(
            "\n",
            "keyfields {",
            "  x { type = int, values = { start = 10, stop = 16 } }",
            "  tag { type = string, values = [a, b] }",
            "}",
            "resultfields { score = double, note = string }",
            "result-timestamps = true",
            "logtables { epochs { epoch = int, loss = double } }",
            "");

    /** Coordination between a test and the experiment it runs in the same JVM. */
    static final Map<String, CountDownLatch> LATCHES = new ConcurrentHashMap<>();

    static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();

    LifecycleContractTest() {
        super("life", CONF);
    }

    private Map<Long, Map<String, Object>> rowsById() {
        Map<Long, Map<String, Object>> m = new LinkedHashMap<>();
        for (Map<String, Object> r : TestDb.store(ex).rows()) {
            m.put((Long) r.get("id"), r);
        }
        return m;
    }

    @Test
    void aSeedMajorRunStoppedHalfWayHasEveryConfigurationOfTheSeedsItRan() {
        ex = experimenter(String.join(
                "\n",
                "keyfields { s { type = int, values = [0, 1, 2] } }",
                "execution { order = seed-major, seed-field = s, max-experiments = 12 }"));
        assertEquals(36, ex.fill());
        RunSummary first = ex.run(spark, ctx -> ctx.results().put("score", 1));
        assertEquals(12, first.count(Status.DONE));
        rowsById()
                .forEach((id, r) -> assertEquals(
                        r.get("s").equals(0),
                        r.get("status").equals("done"),
                        "only the 12 configurations of s = 0: " + r));
        RunSummary second = ex.run(spark, ctx -> ctx.results().put("score", 2));
        assertEquals(12, second.count(Status.DONE));
        rowsById()
                .forEach((id, r) -> assertEquals(
                        !r.get("s").equals(2), r.get("status").equals("done"), "then those of s = 1: " + r));
        String bad = assertThrows(
                        ExperimenterException.class,
                        () -> ex.run(
                                spark,
                                ctx -> {},
                                RunOptions.all().order("seed-major").seedField("tag")))
                .getMessage();
        assertEquals("--seed-field tag is a string keyfield; seed-major order needs an int keyfield", bad);
        String idOrder = assertThrows(
                        ExperimenterException.class,
                        () -> ex.run(
                                spark, ctx -> {}, RunOptions.all().order("id").seedField("s")))
                .getMessage();
        assertEquals("--seed-field s applies to seed-major order: add --order seed-major", idOrder);
    }

    @Test
    void intermediateResultsAndAttachedWritesAreVisibleWhileTheExperimentRuns() throws Exception {
        String key = table;
        LATCHES.put(key + "/flushed", new CountDownLatch(1));
        LATCHES.put(key + "/go", new CountDownLatch(1));
        AtomicReference<Map<String, Object>> finalRow = new AtomicReference<>();
        Thread t = new Thread(() -> finalRow.set(ex.runOne(Map.of("x", "11", "tag", "b"), ctx -> {
            ctx.results().put("score", 1.0).flush();
            LATCHES.get(key + "/flushed").countDown();
            LATCHES.get(key + "/go").await(60, TimeUnit.SECONDS);
            ctx.results().put("score", 2.0);
        })));
        t.start();
        assertTrue(LATCHES.get(key + "/flushed").await(60, TimeUnit.SECONDS));
        long id = TestDb.store(ex).idOf(new Object[] {11, "b"});
        Map<String, Object> during = TestDb.store(ex).row(id);
        assertEquals("running", during.get("status"));
        assertEquals(1.0, during.get("score"), "the flushed result is in the table while the experiment runs");
        assertNotNull(during.get("score_timestamp"));

        Map<String, Object> loss = new HashMap<>(Map.of("epoch", 1, "loss", 0.5));
        try (Attachment a = ex.attach(id)) {
            a.results().put("note", "from another thread");
            a.log("epochs", loss);
            loss.put("loss", 99.0); // the caller's map changes later; the logged row must not
        }
        assertEquals("from another thread", TestDb.store(ex).row(id).get("note"));
        assertEquals(List.of(Map.of("epoch", 1, "loss", 0.5)), TestDb.store(ex).logRows("epochs", id));

        LATCHES.get(key + "/go").countDown();
        t.join(60_000);
        assertEquals("done", finalRow.get().get("status"));
        assertEquals(2.0, finalRow.get().get("score"));
        assertEquals("from another thread", finalRow.get().get("note"));
        assertTrue(((Instant) finalRow.get().get("score_timestamp")).compareTo((Instant) during.get("score_timestamp"))
                >= 0);

        String notRunning =
                assertThrows(ExperimenterException.class, () -> ex.attach(id)).getMessage();
        assertTrue(notRunning.contains("is done, not running; cannot attach"), notRunning);
        String missing =
                assertThrows(StoreException.class, () -> ex.attach(424242)).getMessage();
        assertTrue(missing.contains("has no experiment with id 424242"), missing);
    }

    @Test
    void logTablesCollectRowsPerExperimentAndAreViewsInSparkSql() {
        ex.fill();
        RunSummary s = ex.run(spark, ctx -> {
            int x = ctx.parameters().getInt("x");
            if (x == 14) {
                ctx.log("batches", Map.of("epoch", 1));
            }
            if (x == 15) {
                ctx.log("epochs", Map.of("epoch", "one"));
            }
            for (int e = 0; e < 3; e++) {
                ctx.log("epochs", Map.of("epoch", e, "loss", 1.0 / (e + 1)));
            }
            ctx.results().put("score", x);
        });
        assertEquals(8, s.count(Status.DONE));
        assertEquals(4, s.count(Status.ERROR));
        for (Map<String, Object> r : TestDb.store(ex).rows()) {
            int x = (Integer) r.get("x");
            String error = (String) r.get("error");
            if (x == 14) {
                assertTrue(
                        error.contains("log table 'batches' is not declared in logtables; declared: [epochs]"), error);
            } else if (x == 15) {
                assertTrue(error.contains("log table 'epochs', column 'epoch': expected int, found String one"), error);
            } else {
                assertEquals(
                        3,
                        TestDb.store(ex).logRows("epochs", (Long) r.get("id")).size());
            }
        }
        List<Row> perX = ex.sql(
                        spark,
                        "SELECT e.x, count(*) AS n, min(l.loss) AS best FROM " + table + " e JOIN " + table
                                + "__epochs l ON l.experiment_id = e.id GROUP BY e.x ORDER BY e.x")
                .collectAsList();
        assertEquals(4, perX.size());
        assertEquals(6L, perX.get(0).getLong(1));
        assertEquals(1.0 / 3, perX.get(0).getDouble(2), 1e-12);
        List<Row> attempts = ex.sql(
                        spark,
                        "SELECT outcome, count(*) FROM " + table + "__attempts GROUP BY outcome ORDER BY outcome")
                .collectAsList();
        assertEquals("done", attempts.get(0).getString(0));
        assertEquals(8L, attempts.get(0).getLong(1));
        assertEquals("exception", attempts.get(1).getString(0));
    }

    @Test
    void rowsComeFromCsvJsonAndConditionalGridsAndBadFilesInsertNothing() throws Exception {
        Path csv = dir.resolve("rows.csv");
        Files.writeString(csv, "tag,x\n\"q'uote, \"\"x\"\"\",1\nplain,2\n");
        assertEquals(2, ex.fillFromFile(csv));
        assertEquals(0, ex.fillFromFile(csv));
        Path json = dir.resolve("rows.json");
        Files.writeString(json, "[\n  {\"x\": 3, \"tag\": \"Grüße\"},\n  {\"x\": 4, \"tag\": \"z\"}\n]\n");
        assertEquals(2, ex.fillFromFile(json));
        Set<Object> tags = new java.util.HashSet<>();
        TestDb.store(ex).rows().forEach(r -> tags.add(r.get("tag")));
        assertEquals(Set.of("q'uote, \"x\"", "plain", "Grüße", "z"), tags);

        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "x,tag\n5,a\nsix,b\n");
        String m = assertThrows(InvalidConfigException.class, () -> ex.fillFromFile(bad))
                .getMessage();
        assertEquals(bad + ": 3: x: expected int, found 'six'", m);
        Path badJson = dir.resolve("bad.json");
        Files.writeString(badJson, "{\"x\": 5, \"tag\": \"a\"}\n{\"x\": 6, \"color\": \"b\"}\n");
        String j = assertThrows(InvalidConfigException.class, () -> ex.fillFromFile(badJson))
                .getMessage();
        assertTrue(j.startsWith(badJson + ": 2: 'color' is not a keyfield"), j);
        assertEquals(4, TestDb.store(ex).rows().size(), "nothing of the bad files was inserted");

        long n = ex.fillCombinations(
                List.of(Map.of("tag", "only-x"), Map.of("tag", "pair", "x", 99)), Map.of("x", List.of(7, 8)));
        assertEquals(3, n);
        assertEquals(1, ex.fill() > 0 ? 1 : 0);
    }

    @Test
    void idsWhereAndRandomOrderChooseWhatRuns() {
        ex.fill();
        RunSummary byIds = ex.run(
                spark, ctx -> ctx.results().put("score", 1), RunOptions.all().ids(List.of(3L, 5L, 9L)));
        assertEquals(3, byIds.count(Status.DONE));
        rowsById()
                .forEach(
                        (id, r) -> assertEquals(Set.of(3L, 5L, 9L).contains(id) ? "done" : "created", r.get("status")));
        String m = assertThrows(
                        ExperimenterException.class,
                        () -> ex.run(spark, ctx -> {}, RunOptions.all().ids(List.of(3L, 777L))))
                .getMessage();
        assertTrue(m.contains("has no experiment with id [777]"), m);
        String w = assertThrows(
                        ExperimenterException.class,
                        () -> ex.run(spark, ctx -> {}, RunOptions.all().where("nope > 1")))
                .getMessage();
        assertTrue(w.contains("--where \"nope > 1\""), w);

        RunSummary random = ex.run(
                spark,
                ctx -> ctx.results().put("score", 2),
                RunOptions.all().randomOrder(7).maxExperiments(4));
        assertEquals(4, random.count(Status.DONE));
        List<Long> picked = new ArrayList<>();
        rowsById().forEach((id, r) -> {
            if (Double.valueOf(2.0).equals(r.get("score"))) {
                picked.add(id);
            }
        });
        assertEquals(4, picked.size());
        assertNotEquals(List.of(1L, 2L, 4L, 6L), picked, "not simply the first open ids");

        RunSummary where = ex.run(
                spark, ctx -> ctx.results().put("score", 3), RunOptions.all().where("tag = 'a' AND x < 12"));
        for (Map<String, Object> r : TestDb.store(ex).rows()) {
            if (Double.valueOf(3.0).equals(r.get("score"))) {
                assertEquals("a", r.get("tag"));
                assertTrue((Integer) r.get("x") < 12);
            }
        }
        assertTrue(where.count(Status.DONE) >= 1);
    }

    @Test
    void aWhereThatIsNotOneExpressionChangesNothingAndMeansTheSameInRunResetAndEval() throws Exception {
        ex.fill();
        String victim = TestDb.uniqueTable("victim");
        try (java.sql.Connection c = TestDb.store(ex).connect();
                java.sql.Statement st = c.createStatement()) {
            st.execute("CREATE TABLE " + victim + " (id INTEGER)");
        }
        String injection = "x < 12) LIMIT 1; DROP TABLE " + victim + "; SELECT (1";
        String m = assertThrows(ExperimenterException.class, () -> ex.resetWhere(injection))
                .getMessage();
        assertTrue(m.startsWith("--where \"" + injection + "\": not one boolean expression"), m);
        m = assertThrows(
                        ExperimenterException.class,
                        () -> ex.run(spark, ctx -> {}, RunOptions.all().where(injection)))
                .getMessage();
        assertTrue(m.contains("not one boolean expression"), m);
        try (java.sql.Connection c = TestDb.store(ex).connect();
                java.sql.Statement st = c.createStatement()) {
            st.executeQuery("SELECT COUNT(*) FROM " + victim).close(); // still there
            st.execute("DROP TABLE " + victim);
        }
        assertEquals(12L, ex.status().get(Status.CREATED), "nothing ran, nothing was reset");

        // double quotes are a string in every command, as in Spark SQL
        RunSummary s = ex.run(
                spark, ctx -> ctx.results().put("score", 1), RunOptions.all().where("tag = \"a\" AND x / 2 < 6"));
        long ran = s.count(Status.DONE);
        assertTrue(ran > 0);
        org.experimenter.eval.ResultTable t = ex.evaluation(spark)
                .over(List.of("x", "tag"))
                .where("tag = \"a\" AND x / 2 < 6")
                .fields(List.of("score"))
                .stats(List.of(org.experimenter.eval.Stat.COUNT))
                .collect();
        assertEquals(ran, ((Number) t.rows().get(0).get(t.columns().indexOf("score_count"))).longValue());
        assertEquals((int) ran, ex.resetWhere("tag = \"a\" AND x / 2 < 6"));
    }

    @Test
    void resetByIdsOrPredicateKeepsIdsAndTheAttemptHistory() {
        ex.fill();
        ex.run(spark, ctx -> ctx.results().put("score", ctx.parameters().getInt("x")));
        assertEquals(2, ex.resetIds(List.of(1L, 2L)));
        assertEquals(2, ex.resetWhere("x = 15"));
        String m = assertThrows(StoreException.class, () -> ex.resetIds(List.of(1L, 999L)))
                .getMessage();
        assertTrue(m.contains("has no experiment with id 999"), m);
        Map<String, Object> r1 = TestDb.store(ex).row(1L);
        assertEquals("created", r1.get("status"));
        assertNull(r1.get("score"));
        assertNull(r1.get("score_timestamp"));
        ex.run(spark, ctx -> ctx.results().put("score", 0.5));
        List<Map<String, Object>> history = TestDb.store(ex).attempts(1L);
        assertEquals(2, history.size(), "both runs of row 1 are in its history: " + history);
        assertEquals(12, TestDb.store(ex).rows().size());
        assertEquals(0.5, TestDb.store(ex).row(1L).get("score"));
    }

    /** Pauses on its first run; a later run of the same class finishes. */
    public static final class PausesOnce implements Experiment {
        private static final long serialVersionUID = 1L;

        @Override
        public void run(ExperimentContext ctx) {
            ctx.results().put("note", "checkpoint at " + ctx.parameters().getInt("x"));
            ctx.pause();
        }
    }

    /** Resumes a paused experiment from its checkpoint note. */
    public static final class Resumes implements Experiment {
        private static final long serialVersionUID = 1L;

        @Override
        public void run(ExperimentContext ctx) {
            ctx.results().put("score", 100 + ctx.parameters().getInt("x"));
        }
    }

    @Test
    void pausedRowsKeepTheirResultsAndUnpauseWithAnotherClass() {
        ex.fill();
        RunSummary s = ex.run(spark, new PausesOnce());
        assertEquals(12, s.count(Status.PAUSED));
        assertEquals("checkpoint at 10", TestDb.store(ex).row(1L).get("note"));
        assertEquals(0, ex.run(spark, new PausesOnce()).total(), "paused rows do not run");

        String bad = assertThrows(InvalidConfigException.class, () -> ex.unpause(List.of(1L), "com.example.Nope"))
                .getMessage();
        assertTrue(bad.contains("class com.example.Nope not found"), bad);
        assertEquals(2, ex.unpause(List.of(1L, 2L), Resumes.class.getName()));
        RunSummary resumed = ex.run(spark, new PausesOnce());
        assertEquals(2, resumed.count(Status.DONE));
        Map<String, Object> r1 = TestDb.store(ex).row(1L);
        assertEquals(110.0, r1.get("score"));
        assertEquals("checkpoint at 10", r1.get("note"), "results from before the pause are kept");
        assertEquals(10, ex.unpause(List.of(), null));
        assertEquals(10, ex.run(spark, new PausesOnce()).count(Status.PAUSED));
    }

    @Test
    void runOneAddsTheRowAndRunsItInProcess() {
        Map<String, Object> row = ex.runOne(
                Map.of("x", "42", "tag", "slurm"),
                ctx -> ctx.results().put("score", ctx.parameters().getInt("x")));
        assertEquals("done", row.get("status"));
        assertEquals(42.0, row.get("score"));
        assertNull(row.get("spark_app"));
        assertTrue(((String) row.get("executor")).startsWith("run-one-"));
        Map<String, Object> again = ex.runOne(
                Map.of("x", "42", "tag", "slurm"), ctx -> ctx.results().put("score", -1));
        assertEquals(42.0, again.get("score"), "a done row is not run again");
        assertEquals(1, TestDb.store(ex).rows().size());

        assertTrue(assertThrows(
                        ExperimenterException.class,
                        () -> ex.runOne(Map.of("x", "1", "tag", "a", "seed", "3"), ctx -> {}))
                .getMessage()
                .contains("--set seed: no such keyfield"));
        assertTrue(assertThrows(ExperimenterException.class, () -> ex.runOne(Map.of("x", "1"), ctx -> {}))
                .getMessage()
                .contains("--set tag=...: missing"));
        assertTrue(assertThrows(ExperimenterException.class, () -> ex.runOne(Map.of("x", "one", "tag", "a"), ctx -> {}))
                .getMessage()
                .contains("--set x=one: expected int, found 'one'"));
        assertEquals(1, TestDb.store(ex).rows().size(), "bad input inserted nothing");
    }

    @Test
    void eachRowRecordsItsResourcesAndWhoRanIt() {
        ex.fill();
        ex.run(spark, ctx -> {
            double[] work = new double[200_000];
            double sum = 0;
            for (int i = 0; i < work.length; i++) {
                work[i] = Math.sqrt(i);
                sum += work[i];
            }
            ctx.results().put("score", sum);
        });
        for (Map<String, Object> r : TestDb.store(ex).rows()) {
            assertTrue((Double) r.get("wall_time") > 0, r.toString());
            assertTrue((Double) r.get("cpu_time") > 0, r.toString());
            assertTrue((Long) r.get("allocated_bytes") >= 1_600_000, "the 200,000 doubles: " + r);
            assertEquals(spark.sparkContext().applicationId(), r.get("spark_app"));
            assertTrue(((String) r.get("executor")).startsWith("driver-t"), r.toString());
        }
    }

    @Test
    void aTimeoutEndsThatRowOnlyAndIsToldApartInSql() {
        ex.drop();
        ex = experimenter("timeout = 1s\n");
        ex.fill();
        RunSummary s = ex.run(spark, ctx -> {
            if (ctx.parameters().getInt("x") == 11
                    && ctx.parameters().getString("tag").equals("a")) {
                Thread.sleep(30_000);
            }
            ctx.results().put("score", 1);
        });
        assertEquals(11, s.count(Status.DONE));
        assertEquals(1, s.count(Status.ERROR));
        List<Row> kinds = ex.sql(
                        spark,
                        "SELECT error_kind, count(*) FROM " + table + " WHERE status = 'error' GROUP BY error_kind")
                .collectAsList();
        assertEquals("timeout", kinds.get(0).getString(0));
        assertEquals(1L, kinds.get(0).getLong(1));
    }

    @Test
    void errorsAreRetriedWhenTheConfigAsks() {
        ex.drop();
        ex = experimenter("retry-errors = true\nmax-attempts = 2\n");
        ex.fill();
        String key = table;
        RunSummary s = ex.run(spark, ctx -> {
            int call = CALLS.computeIfAbsent(key + "/" + ctx.id(), k -> new AtomicInteger())
                    .incrementAndGet();
            if (call == 1 || ctx.parameters().getInt("x") == 10) {
                throw new IllegalStateException("flaky, call " + call);
            }
            ctx.results().put("score", call);
        });
        assertEquals(10, s.count(Status.DONE));
        assertEquals(2, s.count(Status.ERROR), "x = 10 fails on both attempts");
        Map<String, Object> r = TestDb.store(ex).row(3L);
        assertEquals("done", r.get("status"));
        assertEquals(2, r.get("attempt"));
        List<Map<String, Object>> history = TestDb.store(ex).attempts(3L);
        assertEquals(
                List.of("exception", "done"),
                List.of(history.get(0).get("outcome"), history.get(1).get("outcome")));
        assertTrue(((String) history.get(0).get("error")).contains("flaky, call 1"));
    }
}
