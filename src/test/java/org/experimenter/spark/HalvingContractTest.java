package org.experimenter.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.sql.SparkSession;
import org.experimenter.Experimenter;
import org.experimenter.RunSummary;
import org.experimenter.Status;
import org.experimenter.store.ExperimentStore;
import org.experimenter.store.Halving;
import org.experimenter.store.RunScope;
import org.experimenter.testing.Experiments.HalvingObjective;
import org.experimenter.testing.TestDb;
import org.experimenter.testing.TestSpark;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Successive halving on each database, with a synthetic objective whose ranking is known
 * ({@link HalvingObjective}): 9 configurations x per data set, eta = 3, rungs at 1, 3 and 9 epochs.
 */
abstract class HalvingContractTest {
    private static final String FIELDS = String.join(
            "\n",
            "keyfields {",
            "  dataset { type = string, values = [a, b] }",
            "  x { type = int, values = { start = 0, stop = 9 } }",
            "  epochs { type = int }",
            "}",
            "resultfields { val_loss = double }",
            "");
    private static final String HALVING = "halving { field = epochs, min = 1, max = 9, eta = 3, by = [dataset],"
            + " value = val_loss, lower-is-better = true, mode = %s }\n";

    @TempDir
    Path dir;

    String table;
    Experimenter ex;
    ExperimentStore store;
    SparkSession spark = TestSpark.session();

    abstract TestDb db();

    @BeforeEach
    void fill() {
        table = TestDb.uniqueTable("halving");
        ex = Experimenter.of(db().config(dir, table, FIELDS + HALVING.formatted("sync")));
        store = TestDb.store(ex);
        assertEquals(18, ex.fill());
    }

    @AfterEach
    void drop() {
        store.drop();
    }

    /** The same table without the halving section: runs rows and never promotes (a driver killed before it cuts). */
    private Experimenter withoutHalving() {
        return Experimenter.of(db().config(dir, table, FIELDS));
    }

    /** "dataset epochs" to the x values of its rows. */
    private Map<String, TreeSet<Integer>> xs(String mark) {
        Map<String, TreeSet<Integer>> out = new TreeMap<>();
        for (Map<String, Object> r : store.rows()) {
            if (mark == null || mark.equals(r.get("halving"))) {
                out.computeIfAbsent(r.get("dataset") + " " + r.get("epochs"), k -> new TreeSet<>())
                        .add(((Number) r.get("x")).intValue());
            }
        }
        return out;
    }

    private static TreeSet<Integer> set(Integer... v) {
        return new TreeSet<>(List.of(v));
    }

    /** What the objective's ranking gives: a keeps 4, 3, 5 at 1 epoch and 5 at 3; b keeps 2, 1, 3 and then 3. */
    private void assertTheExpectedRowsWerePromoted() {
        assertEquals(
                Map.of(
                        "a 1", set(0, 1, 2, 3, 4, 5, 6, 7, 8),
                        "a 3", set(3, 4, 5),
                        "a 9", set(5),
                        "b 1", set(0, 1, 2, 3, 4, 5, 6, 7, 8),
                        "b 3", set(1, 2, 3),
                        "b 9", set(3)),
                xs(null));
        assertEquals(Map.of("a 1", set(3, 4, 5), "a 3", set(5), "b 1", set(1, 2, 3), "b 3", set(3)), xs("promoted"));
        assertEquals(
                Map.of(
                        "a 1", set(0, 1, 2, 6, 7, 8), // 7 failed: it counts in the rung, and is stopped
                        "a 3", set(3, 4),
                        "b 1", set(0, 4, 5, 6, 7, 8),
                        "b 3", set(1, 2)),
                xs("stopped"));
        // every promoted row's parent is the same configuration one rung down
        for (Map<String, Object> r : store.rows()) {
            int epochs = ((Number) r.get("epochs")).intValue();
            if (epochs == 1) {
                assertNull(r.get("parent_id"));
                continue;
            }
            Map<String, Object> parent = store.row(((Number) r.get("parent_id")).longValue());
            assertEquals(
                    List.of(r.get("dataset"), r.get("x"), epochs / 3),
                    List.of(parent.get("dataset"), parent.get("x"), ((Number) parent.get("epochs")).intValue()));
        }
    }

    @Test
    void aSynchronousRunPromotesExactlyTheExpectedConfigurationsPerRung() {
        RunSummary s = ex.run(spark, new HalvingObjective());
        assertEquals(26, s.total());
        assertEquals(25, s.count(Status.DONE));
        assertEquals(1, s.count(Status.ERROR));
        assertTheExpectedRowsWerePromoted();
        assertEquals(0, ex.halve()); // nothing left to cut
    }

    /** {@link HalvingObjective}'s ranking the other way round: the worst configurations first. */
    static final class ReversedObjective implements org.experimenter.Experiment {
        private static final long serialVersionUID = 1L;

        @Override
        public void run(org.experimenter.ExperimentContext ctx) {
            String dataset = ctx.parameters().getString("dataset");
            int x = ctx.parameters().getInt("x");
            ctx.results()
                    .put(
                            "val_loss",
                            100
                                    - HalvingObjective.loss(
                                            dataset, x, ctx.parameters().getDouble("epochs")));
        }
    }

    @Test
    void aCutRungResetAndRunAgainKeepsItsPromotionsAndGainsNoRows() {
        // given: a complete run, then its first rung reset (promoted and stopped rows alike)
        ex.run(spark, new HalvingObjective());
        assertEquals(18, ex.resetWhere("epochs = 1"));
        // when: it runs again, and the rows' results rank the other way round this time
        RunSummary s = ex.run(spark, new ReversedObjective());
        // then: only the 18 reset rows ran; the promoted keep their children and their slots, so the
        // rows that now rank first get none, and the others are stopped again
        assertEquals(18, s.total());
        assertEquals(26, store.rows().size());
        assertTheExpectedRowsWerePromoted();
        // and no row marked stopped has a child
        Set<Object> parents = new java.util.HashSet<>();
        store.rows()
                .forEach(r ->
                        parents.add(r.get("parent_id") == null ? null : ((Number) r.get("parent_id")).longValue()));
        for (Map<String, Object> r : store.rows()) {
            if ("stopped".equals(r.get("halving"))) {
                assertFalse(parents.contains(((Number) r.get("id")).longValue()), r.toString());
            }
        }
    }

    @Test
    void aRungLeftCompleteButUncutIsCutExactlyOnceHoweverManyDriversCutIt() throws Exception {
        withoutHalving().run(spark, new HalvingObjective());
        assertEquals(Map.of(Status.DONE, 17L, Status.ERROR, 1L), nonZero(ex.status()));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Integer>> drivers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                drivers.add(() -> Experimenter.of(ex.config()).halve());
            }
            int added = 0;
            for (Future<Integer> f : pool.invokeAll(drivers)) {
                added += f.get();
            }
            assertEquals(6, added);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(24, store.rows().size());
        assertEquals(0, ex.halve());
        ex.run(spark, new HalvingObjective());
        assertTheExpectedRowsWerePromoted();
    }

    /**
     * A driver JVM of its own that runs the table; where it (or one of its tasks) would first cut
     * a rung, it writes the file paused and waits (test hook) until it is killed or the file is
     * deleted. Its output goes to driver.out.
     */
    private Process startDriverPausingBeforeItsCut(Path paused) throws Exception {
        return startDriverPausingBeforeItsCut(paused, "local[2]");
    }

    /**
     * The same on this master; on local-cluster, the tasks that cut run in an executor JVM, which
     * pauses there.
     */
    private Process startDriverPausingBeforeItsCut(Path paused, String master) throws Exception {
        StringBuilder conf = new StringBuilder();
        db().database(dir, table)
                .forEach((k, v) -> conf.append(k).append(" = \"").append(v).append("\"\n"));
        conf.append(FIELDS)
                .append(HALVING.formatted("sync"))
                .append("experiment-class = \"")
                .append(HalvingObjective.class.getName())
                .append("\"\n")
                .append("spark.master = \"" + master + "\"\nspark.conf {\n  \"spark.ui.enabled\" = false\n");
        if (master.startsWith("local-cluster")) {
            conf.append("  \"spark.executor.extraJavaOptions\" = \"-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
                    .append(" -Dexperimenter.test.pause-before-cut=")
                    .append(paused)
                    .append("\"\n  \"spark.executor.extraClassPath\" = \"")
                    .append(org.experimenter.testing.ChildJvm.classPath())
                    .append("\"\n");
        }
        conf.append("}\n");
        Path file = java.nio.file.Files.writeString(dir.resolve("driver.conf"), conf);
        List<String> cmd = new ArrayList<>(org.experimenter.testing.ChildJvm.javaCommand(
                "org.experimenter.cli.Main", "run", "--config", file.toString()));
        cmd.add(1, "-Dexperimenter.test.pause-before-cut=" + paused);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment()
                .put("SPARK_HOME", org.experimenter.testing.ChildJvm.sparkHome().toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.redirectErrorStream(true);
        pb.redirectOutput(dir.resolve("driver.out").toFile());
        Process driver = pb.start();
        org.experimenter.testing.Faults.await(
                "the driver at its cut",
                java.time.Duration.ofSeconds(180),
                () -> java.nio.file.Files.exists(paused) || !driver.isAlive() ? Boolean.TRUE : null);
        assertTrue(driver.isAlive(), driverOutput());
        return driver;
    }

    /** SIGTERM to a driver waiting before its cut, the cut let go on 5 s later, and the driver's end. */
    private void stopWhileItWaitsBeforeItsCut(Process driver, Path paused) throws Exception {
        try {
            driver.destroy();
            Thread.sleep(5_000);
            java.nio.file.Files.delete(paused);
            assertTrue(driver.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), driverOutput());
        } finally {
            driver.destroyForcibly();
            driver.waitFor();
        }
    }

    private String driverOutput() throws java.io.IOException {
        return java.nio.file.Files.readString(dir.resolve("driver.out"));
    }

    /**
     * The cases that stop a driver JVM mid-cut (about 20 s each, a driver JVM of their own) run on
     * SQLite and PostgreSQL; MariaDB's cut is the same transaction of the same code, and its own
     * inserts are tested by the other cases (CI's time).
     */
    private void assumeDriverKillCases() {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                db() != TestDb.MARIADB, "the driver-kill cases run on SQLite and PostgreSQL");
    }

    @Test
    void aDriverKilledWithSigkillBetweenARungsCompletionAndItsCutLeavesItUncutAndTheNextRunCutsItOnce()
            throws Exception {
        assumeDriverKillCases();
        // a driver JVM of its own runs the first rung; where it would cut, it stops (test hook) and is killed -9
        Process driver = startDriverPausingBeforeItsCut(dir.resolve("paused"));
        try {
            assertTrue(driver.isAlive());
        } finally {
            driver.destroyForcibly(); // SIGKILL
            driver.waitFor();
        }
        assertEquals(137, driver.exitValue());
        // the rung is complete and uncut: no row promoted, stopped or added
        assertEquals(18, store.rows().size());
        assertEquals(Map.of(Status.DONE, 17L, Status.ERROR, 1L), nonZero(ex.status()));
        assertTrue(xs("promoted").isEmpty() && xs("stopped").isEmpty(), xs(null).toString());
        RunSummary s = ex.run(spark, new HalvingObjective());
        assertEquals(8, s.total()); // 6 promoted to 3 epochs, then 2 to 9
        assertTheExpectedRowsWerePromoted();
        assertEquals(0, ex.halve());
    }

    @Test
    void aRunStoppedBySigtermWhileItCutsARungStartsNoFurtherRound() throws Exception {
        assumeDriverKillCases();
        // given: a driver JVM that ran the first rung and waits where it would cut it (test hook)
        Path paused = dir.resolve("paused");
        // when: SIGTERM, and once the driver is stopping (its shutdown hook runs at once), the cut goes on
        stopWhileItWaitsBeforeItsCut(startDriverPausingBeforeItsCut(paused), paused);
        // then: the first rung is as the driver left it, and no row of a later rung ran: what the
        // cut added waits, created, never started; its only attempts are releases (on SQLite a
        // claim that waited behind the cut's lock takes rows the moment the cut commits, and
        // gives them back when it sees the stop)
        Map<Status, Long> firstRung = new TreeMap<>();
        for (Map<String, Object> r : store.rows()) {
            if (((Number) r.get("epochs")).intValue() == 1) {
                firstRung.merge(Status.parse((String) r.get("status")), 1L, Long::sum);
            } else {
                assertEquals("created", r.get("status"), r + "\n" + driverOutput());
                assertNull(r.get("start_date"), r.toString());
                assertEquals(0, ((Number) r.get("attempt")).intValue(), r.toString());
                for (Map<String, Object> a : store.attempts(((Number) r.get("id")).longValue())) {
                    assertEquals("released", a.get("outcome"), r + ": " + a);
                }
            }
        }
        assertEquals(Map.of(Status.DONE, 17L, Status.ERROR, 1L), firstRung);
        // and the next run goes on from there
        ex.run(spark, new HalvingObjective());
        assertTheExpectedRowsWerePromoted();
        assertEquals(0, ex.halve());
    }

    /**
     * The same stop where the cut runs in an executor JVM, which hears of the stop only through
     * the cancel of its tasks: the driver ends only once its tasks have (a task may claim between
     * the driver's last count of held rows and the cancel's arrival; ending then left such a row
     * running until its lease expired, and here ended the executor in the middle of its cut).
     */
    @Test
    void aRunStoppedWhileAnExecutorCutsEndsAfterItsTasks() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                db() == TestDb.POSTGRES, "a driver and a local-cluster executor of their own: on PostgreSQL");
        Path paused = dir.resolve("paused");
        // when: SIGTERM to the driver while its executor's task waits before the cut, which then goes on
        stopWhileItWaitsBeforeItsCut(startDriverPausingBeforeItsCut(paused, "local-cluster[1,2,1024]"), paused);
        // then: the driver waited for its task, whose cut stands; nothing of a later rung ran, nothing runs
        Map<Status, Long> firstRung = new TreeMap<>();
        long later = 0;
        for (Map<String, Object> r : store.rows()) {
            if (((Number) r.get("epochs")).intValue() == 1) {
                firstRung.merge(Status.parse((String) r.get("status")), 1L, Long::sum);
            } else {
                later++;
                assertEquals("created", r.get("status"), r + "\n" + driverOutput());
                assertNull(r.get("start_date"), r.toString());
            }
        }
        assertEquals(Map.of(Status.DONE, 17L, Status.ERROR, 1L), firstRung, driverOutput());
        assertEquals(6, later, "the cut the executor had begun completed before the driver ended\n" + driverOutput());
        ex.run(spark, new HalvingObjective());
        assertTheExpectedRowsWerePromoted();
    }

    @Test
    void twoWorkersPromotingFromTheSameRungsAtOncePromoteEachConfigurationOnce() throws Exception {
        // given: rung 1 of both data sets has its results, nothing promoted yet
        Experimenter async = Experimenter.of(db().config(dir, table, FIELDS + HALVING.formatted("async")));
        withoutHalving().run(spark, new HalvingObjective());
        List<Halving.Rung> rungs = List.of(new Halving.Rung(List.of("a"), 0), new Halving.Rung(List.of("b"), 0));
        // when: two workers, each with its own connections, promote from these rungs at once, one row
        // per decision, as ASHA's workers do before each claim (Halving.promoteFrom)
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
        Callable<List<Long>> worker = () -> {
            ExperimentStore s = TestDb.store(async);
            start.await();
            List<Long> mine = new ArrayList<>();
            for (List<Halving.Promoted> p = s.halving().promoteFrom(rungs, 1, RunScope.all());
                    !p.isEmpty();
                    p = s.halving().promoteFrom(rungs, 1, RunScope.all())) {
                p.forEach(x -> mine.add(x.id()));
            }
            return mine;
        };
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Long> children = new ArrayList<>();
        try {
            for (Future<List<Long>> f : pool.invokeAll(List.of(worker, worker))) {
                children.addAll(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        // then: each configuration that makes its rung's cut was promoted once, by one of them
        assertEquals(6, children.size(), children.toString());
        assertEquals(6, new TreeSet<>(children).size(), children.toString());
        assertEquals(Map.of("a 1", set(3, 4, 5), "b 1", set(1, 2, 3)), xs("promoted"));
        assertEquals(
                Map.of("a 3", set(3, 4, 5), "b 3", set(1, 2, 3)),
                xs(null).entrySet().stream()
                        .filter(e -> e.getKey().endsWith(" 3"))
                        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        assertEquals(24, store.rows().size());
        assertEquals(List.of(), TestDb.store(async).halving().promoteFrom(rungs, 10, RunScope.all()));
    }

    @Test
    void ashaPromotesTheTopThirdOfARungOnceEvenWithTwoDriversAtOnce() throws Exception {
        Experimenter async = Experimenter.of(db().config(dir, table, FIELDS + HALVING.formatted("async")));
        withoutHalving().run(spark, new HalvingObjective());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Long> children = new ArrayList<>();
        try {
            Callable<List<Long>> driver = () -> {
                ExperimentStore s = TestDb.store(async);
                List<Long> mine = new ArrayList<>();
                for (Halving.Promoted p = s.halving().promoteOne();
                        p != null;
                        p = s.halving().promoteOne()) {
                    mine.add(p.id());
                }
                return mine;
            };
            for (Future<List<Long>> f : pool.invokeAll(List.of(driver, driver))) {
                children.addAll(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        // rung 1's cut (the 33.3rd percentile of the losses, lower being better) passes the same three per data set
        assertEquals(6, children.size());
        assertEquals(6, new TreeSet<>(children).size());
        assertEquals(Map.of("a 1", set(3, 4, 5), "b 1", set(1, 2, 3)), xs("promoted"));
        assertEquals(24, store.rows().size());
        assertNull(TestDb.store(async).halving().promoteOne()); // rung 3 has no results yet
    }

    @Test
    void anAsynchronousRunPromotesAsItClaimsAndEndsWithEveryRowThatMakesItsCutPromoted() {
        Experimenter async = Experimenter.of(db().config(dir, table, FIELDS + HALVING.formatted("async")));
        RunSummary s = async.run(spark, new HalvingObjective());
        assertEquals(s.total(), store.rows().size());
        // whatever order results came in, the final cut of rung 1 passes these, so they were promoted
        assertTrue(
                xs("promoted").get("a 1").containsAll(set(3, 4, 5)),
                xs("promoted").toString());
        assertTrue(
                xs("promoted").get("b 1").containsAll(set(1, 2, 3)),
                xs("promoted").toString());
        assertNull(TestDb.store(async).halving().promoteOne());
        for (Map<String, Object> r : store.rows()) {
            assertTrue(!Status.CREATED.dbName().equals(r.get("status")), r.toString());
            if (r.get("parent_id") != null) {
                Map<String, Object> parent = store.row(((Number) r.get("parent_id")).longValue());
                assertEquals("promoted", parent.get("halving"));
                assertEquals(((Number) parent.get("epochs")).intValue() * 3, ((Number) r.get("epochs")).intValue());
            }
        }
    }

    @Test
    void anAsynchronousRunWithAWherePromotesAndRunsOnlyRowsOfItsScope() {
        // given: rung 1 of both data sets has results for x >= 3, the best rows of each rung
        withoutHalving().run(spark, new HalvingObjective(), "x >= 3", 0);
        Experimenter async = Experimenter.of(db().config(dir, table, FIELDS + HALVING.formatted("async")));
        // when: an asynchronous run of x < 3 only
        RunSummary s = async.run(spark, new HalvingObjective(), "x < 3", 0);
        // then: no configuration with x >= 3 was promoted, nor ran in this run
        for (Map<String, Object> r : store.rows()) {
            int x = ((Number) r.get("x")).intValue();
            if (x >= 3) {
                assertEquals(1, ((Number) r.get("epochs")).intValue(), r.toString());
                assertNull(r.get("halving"), r.toString());
                assertTrue(!s.runId().equals(r.get("run_id")), r.toString());
            }
        }
    }

    @Test
    void runOneRunsItsOneRowAndPromotesNothing() {
        // given: every row of rung 1 has a result but a 0
        withoutHalving().run(spark, new HalvingObjective(), "NOT (dataset = 'a' AND x = 0)", 0);
        Experimenter async = Experimenter.of(db().config(dir, table, FIELDS + HALVING.formatted("async")));
        // when
        Map<String, Object> row = async.runOne(Map.of("dataset", "a", "x", "0", "epochs", "1"), new HalvingObjective());
        // then: that row ran, and nothing was promoted
        assertEquals("done", row.get("status"));
        assertEquals(18, store.rows().size());
        assertEquals(Map.of(), xs("promoted"));
    }

    @Test
    void anAsynchronousRunOfAtMostOneExperimentRunsOneRowAndNotTheRowItPromotes() {
        // given: every row of rung 1 has a result but a 4, the best of data set a
        withoutHalving().run(spark, new HalvingObjective(), "NOT (dataset = 'a' AND x = 4)", 0);
        Experimenter async = Experimenter.of(db().config(dir, table, FIELDS + HALVING.formatted("async")));
        // when: a run of at most one experiment, which runs a 4 and may promote it
        RunSummary s = async.run(spark, new HalvingObjective(), null, 1);
        // then: it ran that one row, not the promoted one too
        assertEquals(1, s.total());
        long ranHere = store.rows().stream()
                .filter(r -> s.runId().equals(r.get("run_id")))
                .count();
        assertEquals(1, ranHere);
    }

    @Test
    void aSynchronousRungGivenMoreConfigurationsLaterIsCutAgainOnlyAmongItsUnmarkedRowsAndSlotsLeft() {
        // given: a complete run, then 3 more configurations per data set at rung 1 (x = 9, 10, 11: worse than all)
        ex.run(spark, new HalvingObjective());
        Experimenter wider = Experimenter.of(
                db().config(dir, table, FIELDS.replace("stop = 9", "stop = 12") + HALVING.formatted("sync")));
        assertEquals(6, wider.fill());
        // when: they run and the rung is cut again (12 rows: 4 slots, 3 taken)
        wider.run(spark, new HalvingObjective());
        // then: the first cut stands, no stopped row has a child, and the last slot went to no
        // new row (a new row gets a slot only if it ranks among the rung's best 4)
        for (Map<String, Object> r : store.rows()) {
            if (r.get("parent_id") != null) {
                Map<String, Object> parent = store.row(((Number) r.get("parent_id")).longValue());
                assertEquals("promoted", parent.get("halving"), r + " has parent " + parent);
            }
        }
        assertEquals(Map.of("a 1", set(3, 4, 5), "a 3", set(5), "b 1", set(1, 2, 3), "b 3", set(3)), xs("promoted"));
        assertEquals(set(0, 1, 2, 6, 7, 8, 9, 10, 11), xs("stopped").get("a 1"));
        assertEquals(set(0, 4, 5, 6, 7, 8, 9, 10, 11), xs("stopped").get("b 1"));
        assertEquals(0, wider.halve());
    }

    @Test
    void aPromotedConfigurationFindsTheCheckpointOfItsRungBelowInItsScratchFolder() {
        // a command that resumes from {scratch_dir}/ckpt (the epochs trained so far) and saves it again
        String command = "r=$(cat {scratch_dir}/ckpt 2>/dev/null || echo 0); echo {epochs} > {scratch_dir}/ckpt;"
                + " echo \"{{\\\"val_loss\\\": {x}.5, \\\"resumed_from\\\": $r}}\" > {result_file}";
        String conf = FIELDS.replace(
                        "resultfields { val_loss = double }", "resultfields { val_loss = double, resumed_from = int }")
                + HALVING.formatted("sync")
                + "experiment { shell = true, run-dir = \"" + dir.resolve("runs") + "\", command = \"\"\"" + command
                + "\"\"\" }\n";
        Experimenter commands = Experimenter.of(db().config(dir, table, conf));
        store.drop();
        assertEquals(18, commands.fill());
        RunSummary s = commands.run(spark);
        assertEquals(Map.of(Status.DONE, 26L), nonZero(s.counts()));
        // lower is better and val_loss grows with x: x = 0, 1, 2 reach 3 epochs and x = 0 reaches 9
        assertEquals(Map.of("a 1", set(0, 1, 2), "a 3", set(0), "b 1", set(0, 1, 2), "b 3", set(0)), xs("promoted"));
        int resumed = 0;
        for (Map<String, Object> r : TestDb.store(commands).rows()) {
            int from = ((Number) r.get("resumed_from")).intValue();
            if (r.get("parent_id") == null) {
                assertEquals(0, from, r.toString());
            } else {
                Map<String, Object> parent = store.row(((Number) r.get("parent_id")).longValue());
                assertEquals(((Number) parent.get("epochs")).intValue(), from, r.toString());
                resumed++;
            }
        }
        assertEquals(8, resumed);
    }

    @Test
    void hyperbandRunsEachBracketAsItsOwnSuccessiveHalvingWithTheRowsOfTable1() {
        // rungs 1, 3, 9 by eta 3: s=2: 9 x 1, 3 x 3, 1 x 9; s=1: 5 x 3, 1 x 9; s=0: 3 x 9 (17 configurations)
        String fields = FIELDS.replace("stop = 9", "stop = 20");
        Experimenter hyperband = Experimenter.of(db().config(
                        dir,
                        table,
                        fields + HALVING.formatted("sync").replace("mode = sync", "mode = sync, brackets = 3")));
        store.drop();
        // per data set 17 of the 20 configurations are dealt out to the brackets, each at its first rung
        assertEquals(34, hyperband.fill());
        assertEquals(0, hyperband.fill());
        RunSummary s = hyperband.run(spark, new HalvingObjective());
        assertEquals(44, s.total());
        ExperimentStore hs = TestDb.store(hyperband);
        // dataset bracket epochs -> rows, promoted rows
        Map<String, int[]> rungs = new TreeMap<>();
        Map<String, List<Map<String, Object>>> byRung = new TreeMap<>();
        Map<String, Integer> bracketOfConfig = new TreeMap<>();
        for (Map<String, Object> r : hs.rows()) {
            String rung = r.get("dataset") + " s=" + r.get("bracket") + " " + r.get("epochs");
            int[] n = rungs.computeIfAbsent(rung, k -> new int[2]);
            n[0]++;
            if ("promoted".equals(r.get("halving"))) {
                n[1]++;
            }
            byRung.computeIfAbsent(rung, k -> new ArrayList<>()).add(r);
            // a configuration belongs to one bracket only
            Integer before =
                    bracketOfConfig.put(r.get("dataset") + " " + r.get("x"), ((Number) r.get("bracket")).intValue());
            assertTrue(before == null || before == ((Number) r.get("bracket")).intValue(), r.toString());
            if (r.get("parent_id") != null) {
                Map<String, Object> parent = hs.row(((Number) r.get("parent_id")).longValue());
                assertEquals(parent.get("bracket"), r.get("bracket"));
                assertEquals(parent.get("x"), r.get("x"));
            }
        }
        Map<String, List<Integer>> counts = new TreeMap<>();
        rungs.forEach((k, n) -> counts.put(k, List.of(n[0], n[1])));
        Map<String, List<Integer>> expected = new TreeMap<>();
        for (String d : List.of("a", "b")) {
            expected.put(d + " s=2 1", List.of(9, 3));
            expected.put(d + " s=2 3", List.of(3, 1));
            expected.put(d + " s=2 9", List.of(1, 0));
            expected.put(d + " s=1 3", List.of(5, 1));
            expected.put(d + " s=1 9", List.of(1, 0));
            expected.put(d + " s=0 9", List.of(3, 0));
        }
        assertEquals(expected, counts);
        // within each bracket's rung, the promoted rows are its best (lowest loss, ties by id)
        byRung.forEach((rung, rows) -> {
            List<Map<String, Object>> ranked = new ArrayList<>(rows);
            ranked.removeIf(r -> r.get("val_loss") == null);
            ranked.sort(java.util.Comparator.comparingDouble(
                            (Map<String, Object> r) -> ((Number) r.get("val_loss")).doubleValue())
                    .thenComparingLong(r -> ((Number) r.get("id")).longValue()));
            int promoted = rungs.get(rung)[1];
            for (int i = 0; i < ranked.size(); i++) {
                boolean top = i < promoted;
                assertEquals(
                        top ? "promoted" : rung.endsWith(" 9") ? null : "stopped",
                        ranked.get(i).get("halving"),
                        rung + " " + ranked.get(i));
            }
        });
        assertEquals(0, hyperband.halve());
    }

    @Test
    void hyperbandRefusesAGroupWithFewerConfigurationsThanItsBracketsNeedAndFillsNothing() {
        Experimenter hyperband = Experimenter.of(db().config(
                        dir,
                        table,
                        FIELDS + HALVING.formatted("sync").replace("mode = sync", "mode = sync, brackets = 2")));
        store.drop();
        org.experimenter.ExperimenterException e = org.junit.jupiter.api.Assertions.assertThrows(
                org.experimenter.ExperimenterException.class, hyperband::fill);
        assertTrue(
                e.getMessage()
                        .endsWith("halving.brackets: the 2 brackets need 14 configurations per group (9 + 5);"
                                + " the group dataset=a has 9 in the grid; give fewer brackets or a larger grid;"
                                + " nothing was filled"),
                e.getMessage());
        assertEquals(0, TestDb.store(hyperband).rows().size());
    }

    private static Map<Status, Long> nonZero(Map<Status, Long> counts) {
        Map<Status, Long> out = new TreeMap<>();
        counts.forEach((s, n) -> {
            if (n > 0) {
                out.put(s, n);
            }
        });
        return out;
    }
}
