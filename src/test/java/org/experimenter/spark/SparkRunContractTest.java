package org.experimenter.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.experimenter.Experimenter;
import org.experimenter.ExperimenterException;
import org.experimenter.RunOptions;
import org.experimenter.RunSummary;
import org.experimenter.Status;
import org.experimenter.eval.ResultTable;
import org.experimenter.store.Claim;
import org.experimenter.store.ExperimentStore;
import org.experimenter.testing.Experiments;
import org.experimenter.testing.TestDb;
import org.experimenter.testing.TestSpark;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A whole run through Spark local mode, on each database. */
abstract class SparkRunContractTest {
    @TempDir
    Path dir;

    Experimenter ex;
    Path log;
    SparkSession spark = TestSpark.session();

    abstract TestDb db();

    /** Makes the database refuse to mark the row with this id running (a constraint a user added). */
    abstract void refuseClaimOf(Statement st, String table, long id) throws Exception;

    /** Makes the database refuse any update that sets column to value (a constraint a user added). */
    abstract void refuse(Statement st, String table, String column, String value) throws Exception;

    private Experimenter notes() {
        return Experimenter.of(
                db().config(
                                dir,
                                TestDb.uniqueTable("notes"),
                                "keyfields { x { type = int, values = { start = 0, stop = 6 } } }\nresultfields { note = string }\n"));
    }

    /** Notes with a NUL character for x = 1, an exception carrying one for x = 2, a refused note for x = 3. */
    private static final class Notes implements org.experimenter.Experiment {
        private static final long serialVersionUID = 1L;

        @Override
        public void run(org.experimenter.ExperimentContext ctx) {
            int x = ctx.parameters().getInt("x");
            if (x == 2) {
                throw new IllegalStateException("bad \0 byte");
            }
            ctx.results().put("note", x == 1 ? "a\0b" : x == 3 ? "refused" : "ok");
        }
    }

    @Test
    void aJobThatAbortsLeavesNoRowRunningAndNamesTheFirstCauseInOneLine() throws Exception {
        assertEquals(60, ex.fill());
        ExperimentStore store = TestDb.store(ex);
        long refused = store.idOf(new Object[] {15, 2, "a'b"});
        try (Connection c = store.connect();
                Statement st = c.createStatement()) {
            refuseClaimOf(st, ex.config().table(), refused);
        }
        String m = assertThrows(
                        ExperimenterException.class,
                        () -> ex.run(spark, ctx -> {
                            Thread.sleep(50);
                            ctx.results().put("score", 1.0);
                        }))
                .getMessage();
        assertTrue(m.startsWith("run ") && m.contains(" failed: "), m);
        assertFalse(m.contains("\n"), m);
        assertEquals(0L, ex.status().get(Status.RUNNING), "no row is left running: " + ex.status());
        assertEquals("created", store.row(refused).get("status"));
    }

    @Test
    void textWithANulCharacterIsStoredEscapedOnEveryDatabase() {
        Experimenter n = notes();
        try {
            n.fill();
            RunSummary s = n.run(spark, new Notes());
            assertEquals(5, s.count(Status.DONE));
            ExperimentStore store = TestDb.store(n);
            assertEquals("a\\u0000b", store.row(store.idOf(new Object[] {1})).get("note"));
            assertTrue(String.valueOf(store.row(store.idOf(new Object[] {2})).get("error"))
                    .contains("bad \\u0000 byte"));
        } finally {
            n.drop();
        }
    }

    @Test
    void anOutcomeTheDatabaseRefusesEndsItsRowAsAnErrorAndTheOthersAreWritten() throws Exception {
        Experimenter n = notes();
        try {
            n.fill();
            ExperimentStore store = TestDb.store(n);
            try (Connection c = store.connect();
                    Statement st = c.createStatement()) {
                refuse(st, n.config().table(), "note", "refused");
            }
            long started = System.nanoTime();
            RunSummary s = n.run(spark, new Notes());
            assertTrue(System.nanoTime() - started < 60_000_000_000L, "a refused write is not retried for minutes");
            assertEquals(4, s.count(Status.DONE));
            assertEquals(2, s.count(Status.ERROR));
            Map<String, Object> refused = store.row(store.idOf(new Object[] {3}));
            assertEquals("error", refused.get("status"));
            assertEquals("unstorable", refused.get("error_kind"));
            assertTrue(
                    String.valueOf(refused.get("error")).startsWith("unstorable: the done outcome of experiment "),
                    String.valueOf(refused.get("error")));
            assertEquals("ok", store.row(store.idOf(new Object[] {4})).get("note"));
        } finally {
            n.drop();
        }
    }

    @BeforeEach
    void setUp() {
        log = dir.resolve("executions.log");
        String table = TestDb.uniqueTable("run");
        ex = Experimenter.of(db().config(
                        dir,
                        table,
                        String.join(
                                "\n",
                                "keyfields {",
                                "  x { type = int, values = { start = 10, stop = 20 } }",
                                "  seed { type = int, values = [1, 2, 3] }",
                                "  label { type = string, values = [\"a'b\", \"ü; DROP TABLE x\"] }",
                                "}",
                                "resultfields { score = double }",
                                "custom { execution-log = \"" + log + "\" }",
                                "")));
    }

    @AfterEach
    void tearDown() {
        ex.drop();
    }

    @Test
    void aRunEndsLeavingRowsOfAnotherLiveRunToItAndSaysSo() throws Exception {
        Experimenter quick = Experimenter.of(ex.config()
                .withOverrides(Map.of("lease.heartbeat-interval", "250ms", "lease.recovery-interval", "250ms")));
        assertEquals(60, quick.fill());
        ExperimentStore store = TestDb.store(quick);
        Claim other = new Claim("other-run", "exec-9", "elsewhere", "other-run/exec-9/1", "app-9");
        long held;
        try (Connection c = store.connect()) {
            held = store.claimNext(c, 1, null, other).get(0).id();
        }
        ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor();
        beats.scheduleWithFixedDelay(
                () -> {
                    try (Connection c = store.connect()) {
                        store.heartbeat(c, List.of(other.token()));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                },
                100,
                100,
                TimeUnit.MILLISECONDS);
        try {
            RunSummary s = quick.run(spark, new Experiments.Logging());
            assertEquals(59, s.total());
            assertEquals(Map.of("other-run", 1L), s.heldElsewhere());
            assertTrue(
                    s.toString().contains("1 row of this scope still running under live run other-run"), s.toString());
            assertEquals("running", store.row(held).get("status"), "the live run's row was left to it");
        } finally {
            beats.shutdownNow();
        }
    }

    @Test
    void aRunExecutesEveryRowOnceRecordsResultsAndCapturesErrors() throws Exception {
        assertEquals(60, ex.fill());
        RunSummary s = ex.run(spark, new Experiments.Logging());

        assertEquals(54, s.count(Status.DONE));
        assertEquals(6, s.count(Status.ERROR), "x = 13 throws, for 3 seeds x 2 labels");
        Row d = ex.sql(
                        spark,
                        "SELECT min(wall_time), median(wall_time), max(wall_time) FROM "
                                + ex.config().table() + " WHERE run_id = '" + s.runId() + "'")
                .first();
        assertEquals(d.getDouble(0), s.minSeconds(), 1e-9, "the summary's durations are Spark SQL's");
        assertEquals(d.getDouble(1), s.medianSeconds(), 1e-9);
        assertEquals(d.getDouble(2), s.maxSeconds(), 1e-9);
        List<String> executions = Files.readAllLines(log);
        assertEquals(60, executions.size());
        assertEquals(
                60, executions.stream().map(l -> l.split(" ")[0]).distinct().count(), "no row ran twice");

        for (Map<String, Object> r : TestDb.store(ex).rows()) {
            int x = (Integer) r.get("x");
            assertNotNull(r.get("start_date"));
            assertNotNull(r.get("end_date"));
            assertNotNull(r.get("machine"));
            assertEquals(1, r.get("attempt"));
            if (x == 13) {
                assertEquals("error", r.get("status"));
                assertEquals("exception", r.get("error_kind"));
                String error = (String) r.get("error");
                assertTrue(error.startsWith("java.lang.IllegalStateException: unlucky x 13"), error);
                assertTrue(
                        error.contains("at org.experimenter.testing.Experiments$Logging.run"),
                        "the full stack trace: " + error);
                assertNull(r.get("score"));
            } else {
                assertEquals("done", r.get("status"));
                assertEquals(x * 10.0 + (Integer) r.get("seed"), (Double) r.get("score"));
                assertNull(r.get("error"));
            }
        }
        assertEquals(0L, ex.status().get(Status.CREATED));

        // a second run finds nothing open and runs nothing
        RunSummary again = ex.run(spark, new Experiments.Logging());
        assertEquals(0, again.total());
        assertEquals(60, Files.readAllLines(log).size());
    }

    @Test
    void aRoundTooLargeToReadOnTheDriverIsReadThroughSparkJdbcInIdAndShuffledOrder() throws Exception {
        assertEquals(60, ex.fill());
        // a driver-read limit of 0 sends every round through Spark's JDBC source, as a run of more than
        // 20,000 open rows is: ranges of the order key in a shuffled order, of the id otherwise
        RunSummary shuffled = new RunJob(spark, ex.config(), 0)
                .run(new Experiments.Logging(), RunOptions.all().randomOrder(7L).maxExperiments(25));
        assertEquals(25, shuffled.total());
        RunSummary rest = new RunJob(spark, ex.config(), 0).run(new Experiments.Logging(), RunOptions.all());
        assertEquals(35, rest.total());
        assertEquals(54, shuffled.count(Status.DONE) + rest.count(Status.DONE));
        List<String> executions = Files.readAllLines(log);
        assertEquals(60, executions.size());
        assertEquals(
                60, executions.stream().map(l -> l.split(" ")[0]).distinct().count(), "no row ran twice");
        assertEquals(0L, ex.status().get(Status.CREATED));
        for (Map<String, Object> r : TestDb.store(ex).rows()) {
            if (!"error".equals(r.get("status"))) {
                assertEquals((Integer) r.get("x") * 10.0 + (Integer) r.get("seed"), (Double) r.get("score"));
            }
        }
    }

    @Test
    void aResultForAnUndeclaredFieldOrOfTheWrongTypeFailsThatExperimentOnly() {
        ex.fill();
        RunSummary s = ex.run(spark, ctx -> {
            int x = ctx.parameters().getInt("x");
            if (x == 11) {
                ctx.results().put("accuracy", 1.0);
            } else if (x == 12) {
                ctx.results().put("score", "high");
            } else {
                ctx.results().put("score", x);
            }
        });
        assertEquals(48, s.count(Status.DONE));
        assertEquals(12, s.count(Status.ERROR));
        for (Map<String, Object> r : TestDb.store(ex).rows()) {
            int x = (Integer) r.get("x");
            String error = (String) r.get("error");
            if (x == 11) {
                assertTrue(error.contains("result field 'accuracy' is not declared in resultfields"), error);
            } else if (x == 12) {
                assertTrue(error.contains("result field 'score': expected double, found String high"), error);
            } else {
                assertEquals((double) x, r.get("score"));
            }
        }
    }

    @Test
    void maxExperimentsAndWhereNarrowTheRun() {
        ex.fill();
        RunSummary s = ex.run(spark, ctx -> ctx.results().put("score", 1.0), "seed = 2", 5);
        assertEquals(5, s.count(Status.DONE));
        for (Map<String, Object> r : TestDb.store(ex).rows()) {
            if ("done".equals(r.get("status"))) {
                assertEquals(2, r.get("seed"));
            }
        }
    }

    @Test
    void evaluationAggregatesDoneRowsOverSeeds() {
        ex.fill();
        ex.run(spark, new Experiments.Logging());
        ResultTable t = ResultTable.of(ex.evaluate(spark, List.of("seed")));
        assertEquals(List.of("x", "label", "score_mean", "score_std", "score_count"), t.columns());
        assertEquals(18, t.rows().size(), "x = 13 has no done rows");
        Map<String, Object> first = new HashMap<>();
        for (int i = 0; i < t.columns().size(); i++) {
            first.put(t.columns().get(i), t.rows().get(0).get(i));
        }
        assertEquals(10L, ((Number) first.get("x")).longValue());
        assertEquals(102.0, (Double) first.get("score_mean"), 1e-9); // seeds 1, 2, 3
        assertEquals(1.0, (Double) first.get("score_std"), 1e-9);
        assertEquals(3L, first.get("score_count"));

        List<Row> viaSql = ex.sql(
                        spark,
                        "SELECT status, count(*) AS n FROM " + ex.config().table() + " GROUP BY status ORDER BY status")
                .collectAsList();
        assertEquals("done", viaSql.get(0).getString(0));
        assertEquals(54L, viaSql.get(0).getLong(1));
        assertEquals("error", viaSql.get(1).getString(0));
    }
}
