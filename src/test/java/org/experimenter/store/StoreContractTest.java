package org.experimenter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.experimenter.Experimenter;
import org.experimenter.Status;
import org.experimenter.StoreException;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.testing.SettableClock;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every database must do for the experiment table; one subclass per database. */
abstract class StoreContractTest {
    static final String CONF = String.join(
            "\n",
            "keyfields {",
            "  name { type = string, values = [plain, \"it's\", \"Grüße 😀\", \"x'); DROP TABLE t; --\"] }",
            "  seed { type = int, values = { start = 0, stop = 3 } }",
            "}",
            "resultfields { score = double, note = string, ok = boolean, big = long }",
            "lease { heartbeat-interval = 1s, missed-beats = 4 }",
            "max-attempts = 2",
            "");

    @TempDir
    Path dir;

    ExperimentConfig config;
    ExperimentStore store;
    SettableClock clock = new SettableClock();
    String table;

    abstract TestDb db();

    @BeforeEach
    void createTable() {
        table = TestDb.uniqueTable("store");
        config = db().config(dir, table, CONF);
        store = new ExperimentStore(config).withClock(clock);
        store.createTableIfMissing();
    }

    @AfterEach
    void dropTable() {
        store.drop();
    }

    private Claim claim(String token) {
        return new Claim("run1", "exec1", "host1", token, "app1");
    }

    private List<Long> claimIds(Connection c, List<Long> ids, String token) throws Exception {
        List<Long> out = new ArrayList<>();
        for (ClaimedRow r : store.claimIds(c, ids, claim(token))) {
            out.add(r.id());
        }
        return out;
    }

    private boolean finish(
            ExperimentStore s,
            Connection c,
            long id,
            String token,
            Status status,
            Map<String, Object> results,
            String kind,
            String error)
            throws Exception {
        Outcome o = new Outcome(
                id,
                status,
                results,
                Map.of(),
                kind,
                error,
                new Outcome.Measure(clock.instant(), 0.5, 0.25, 1024, null),
                Outcome.Ran.UNKNOWN,
                false);
        return s.finish(c, new Claim("run1", "exec1", "host1", token, "app1"), o);
    }

    @Test
    void theTableHasPyExperimentersColumnsAndOursInOrder() {
        assertEquals(
                List.of(
                        "id",
                        "name",
                        "seed",
                        "status",
                        "creation_date",
                        "start_date",
                        "end_date",
                        "machine",
                        "score",
                        "note",
                        "ok",
                        "big",
                        "error",
                        "error_kind",
                        "attempt",
                        "run_id",
                        "spark_app",
                        "executor",
                        "wall_time",
                        "cpu_time",
                        "allocated_bytes",
                        "experiment_class",
                        "claim_token",
                        "heartbeat",
                        "lease_ms",
                        "stage",
                        "parent_id",
                        "halving",
                        "bracket"),
                store.expectedColumns());
        store.createTableIfMissing(); // a second time changes nothing and does not fail
        assertTrue(store.tableExists());
    }

    @Test
    void fillingInsertsTheGridOnceAndValuesVerbatim() {
        assertEquals(12, store.fill(config.grid().iterator()));
        assertEquals(0, store.fill(config.grid().iterator()));
        List<Map<String, Object>> rows = store.rows();
        assertEquals(12, rows.size());
        Set<Object> names = new HashSet<>();
        for (Map<String, Object> r : rows) {
            names.add(r.get("name"));
            assertEquals("created", r.get("status"));
            assertTrue(r.get("creation_date") != null);
        }
        assertEquals(Set.of("plain", "it's", "Grüße 😀", "x'); DROP TABLE t; --"), names);
    }

    @Test
    void extendingAValueListInsertsOnlyTheNewCombinations() {
        store.fill(config.grid().iterator());
        List<Long> idsBefore = new ArrayList<>();
        store.rows().forEach(r -> idsBefore.add((Long) r.get("id")));
        ExperimentConfig wider =
                db().config(dir, table, CONF.replace("stop = 3", "stop = 5")).withOverrides(Map.of());
        ExperimentStore w = new ExperimentStore(wider);
        assertEquals(8, w.fill(wider.grid().iterator()));
        List<Map<String, Object>> rows = w.rows();
        assertEquals(20, rows.size());
        for (int i = 0; i < idsBefore.size(); i++) {
            assertEquals(idsBefore.get(i), rows.get(i).get("id"));
        }
    }

    @Test
    void explicitRowsFromCodeAreAddedOnceAndCheckedAgainstTheKeyfields() {
        Experimenter ex = Experimenter.of(config);
        assertEquals(1, ex.addRows(List.of(Map.of("name", "extra", "seed", 7))));
        assertEquals(0, ex.addRows(List.of(Map.of("name", "extra", "seed", 7))));
        String m = assertThrows(RuntimeException.class, () -> ex.addRows(List.of(Map.of("name", "a", "sed", 1))))
                .getMessage();
        assertTrue(m.contains("'sed' is not a keyfield"), m);
        String t = assertThrows(StoreException.class, () -> ex.addRows(List.of(Map.of("name", "a", "seed", "one"))))
                .getMessage();
        assertTrue(t.contains("row 1: keyfield seed: expected int, found String one"), t);
        assertEquals(1, store.rows().size());
    }

    @Test
    void aTableWhoseColumnsDifferIsRefusedNamingTheColumns() {
        ExperimentConfig other = db().config(dir, table, CONF.replace("note = string", "remark = string"));
        StoreException e = assertThrows(StoreException.class, () -> new ExperimentStore(other).createTableIfMissing());
        assertTrue(e.getMessage().contains("missing remark; not in the config note"), e.getMessage());
    }

    @Test
    void aTableWhoseKeyfieldTypeDiffersIsRefusedNamingColumnAndBothTypes() {
        ExperimentConfig other = db().config(dir, table, CONF.replace("seed { type = int", "seed { type = double"));
        StoreException e = assertThrows(StoreException.class, () -> new ExperimentStore(other).createTableIfMissing());
        assertTrue(e.getMessage().contains("its column seed has type "), e.getMessage());
        assertTrue(e.getMessage().contains("(int) while test.conf declares keyfield seed as double"), e.getMessage());
    }

    @Test
    void aTableWhoseResultTypeDiffersIsRefused() {
        ExperimentConfig other = db().config(dir, table, CONF.replace("score = double", "score = int"));
        StoreException e = assertThrows(StoreException.class, () -> new ExperimentStore(other).createTableIfMissing());
        assertTrue(
                e.getMessage().contains("(double) while test.conf declares result field score as int"), e.getMessage());
    }

    @Test
    void aTableWhoseKeyfieldsAreOtherColumnsOfTheSameNamesIsRefused() {
        String swapped = String.join(
                "\n",
                "keyfields {",
                "  name { type = string, values = [plain] }",
                "  note { type = string, values = [a] }",
                "}",
                "resultfields { score = double, seed = int, ok = boolean, big = long }",
                "");
        ExperimentConfig other = db().config(dir, table, swapped);
        StoreException e = assertThrows(StoreException.class, () -> new ExperimentStore(other).createTableIfMissing());
        assertTrue(e.getMessage().contains("its keyfields (its UNIQUE columns) are not name, note"), e.getMessage());
    }

    @Test
    void aRowIsClaimedOnceAndOnlyItsClaimCanFinishIt() throws Exception {
        store.fill(config.grid().iterator());
        try (Connection c = store.connect()) {
            List<Long> first = claimIds(c, List.of(1L, 2L, 3L), "a");
            assertEquals(List.of(1L, 2L, 3L), first);
            assertEquals(List.of(), claimIds(c, List.of(1L, 2L), "b"));
            assertEquals(List.of(4L), claimIds(c, List.of(2L, 4L), "c"));
            assertFalse(finish(store, c, 1L, "b", Status.DONE, Map.of("score", 1.0), null, null));
            assertTrue(finish(
                    store,
                    c,
                    1L,
                    "a",
                    Status.DONE,
                    Map.of("score", 1.5, "note", "ok'); --", "ok", true, "big", 5_000_000_000L),
                    null,
                    null));
            assertFalse(finish(store, c, 1L, "a", Status.DONE, Map.of("score", 9.0), null, null));
        }
        Map<String, Object> r = store.row(1L);
        assertEquals("done", r.get("status"));
        assertEquals(1.5, r.get("score"));
        assertEquals("ok'); --", r.get("note"));
        assertEquals(true, r.get("ok"));
        assertEquals(5_000_000_000L, r.get("big"));
        assertEquals(1, r.get("attempt"));
        assertEquals("host1", r.get("machine"));
        assertEquals(
                Map.of(Status.CREATED, 8L, Status.RUNNING, 3L, Status.DONE, 1L, Status.ERROR, 0L, Status.PAUSED, 0L),
                store.counts());
    }

    @Test
    void aNaNResultReadsBackAsNoValueAndInfinityAsInfinityWhereTheDatabaseHasIt() throws Exception {
        store.fill(config.grid().iterator());
        if (!store.dialect().storesInfinity()) {
            try (Connection c = store.connect()) {
                claimIds(c, List.of(1L), "a");
                assertTrue(finish(store, c, 1L, "a", Status.DONE, Map.of("score", Double.NaN), null, null));
                org.experimenter.spark.RowContext ctx = new org.experimenter.spark.RowContext(
                        store, 2L, "b", new org.experimenter.Parameters(Map.of()), () -> false);
                String m = assertThrows(
                                RuntimeException.class, () -> ctx.results().put("score", Double.POSITIVE_INFINITY))
                        .getMessage();
                assertTrue(
                        m.contains("result field 'score': Infinity cannot be stored in "
                                + store.dialect().name()),
                        m);
            }
            assertNull(store.row(1L).get("score"));
            return;
        }
        try (Connection c = store.connect()) {
            claimIds(c, List.of(1L), "a");
            claimIds(c, List.of(2L), "b");
            assertTrue(finish(store, c, 1L, "a", Status.DONE, Map.of("score", Double.NaN), null, null));
            assertTrue(finish(store, c, 2L, "b", Status.DONE, Map.of("score", Double.POSITIVE_INFINITY), null, null));
        }
        assertNull(store.row(1L).get("score"));
        assertEquals("done", store.row(1L).get("status"));
        assertEquals(Double.POSITIVE_INFINITY, store.row(2L).get("score"));
    }

    @Test
    void logRowsCarryTheirAttemptAndAStaleClaimCannotAddToTheRerunsLog() throws Exception {
        ExperimentConfig logged =
                db().config(dir, table + "_log", CONF + "logtables { epochs { epoch = int, loss = double } }\n");
        ExperimentStore s = new ExperimentStore(logged).withClock(clock);
        s.createTableIfMissing();
        try (Connection c = s.connect()) {
            s.fill(logged.grid().iterator());
            s.claimIds(c, List.of(1L), claim("a"));
            assertTrue(s.appendLog(
                    c, "epochs", 1L, "a", List.of(Map.of("epoch", 1, "loss", 0.5)), List.of(clock.instant())));
            clock.advance(Duration.ofSeconds(10));
            assertEquals(1, s.recover().requeued());
            assertFalse(
                    s.appendLog(
                            c, "epochs", 1L, "a", List.of(Map.of("epoch", 2, "loss", 0.4)), List.of(clock.instant())),
                    "the lost attempt's thread writes no more log rows");
            s.claimIds(c, List.of(1L), claim("b"));
            assertTrue(s.appendLog(
                    c, "epochs", 1L, "b", List.of(Map.of("epoch", 1, "loss", 0.6)), List.of(clock.instant())));
            List<Integer> attempts = Jdbc.query(
                    c,
                    "SELECT attempt FROM " + table + "_log__epochs ORDER BY id",
                    Jdbc.NO_PARAMETERS,
                    rs -> rs.getInt(1));
            assertEquals(List.of(1, 2), attempts);

            org.experimenter.spark.RowContext ended = new org.experimenter.spark.RowContext(
                    s, 1L, "b", new org.experimenter.Parameters(Map.of()), () -> false);
            ended.close();
            String m = assertThrows(RuntimeException.class, () -> ended.log("epochs", Map.of("epoch", 3)))
                    .getMessage();
            assertTrue(m.contains("has ended; log() after its end is not written"), m);

            assertEquals(1, s.admin().resetIds(List.of(1L)));
            assertEquals(List.of(), s.logRows("epochs", 1L), "reset deletes the row's log rows with its results");
        } finally {
            s.drop();
        }
    }

    @Test
    void aClaimOrFinishRepeatedAfterALostAnswerIsRecognisedAsTheWorkersOwn() throws Exception {
        store.fill(config.grid().iterator());
        try (Connection c = store.connect()) {
            assertEquals(List.of(1L, 2L), claimIds(c, List.of(1L, 2L), "a"));
            // the database committed the claim but the worker never heard: it repeats it
            assertEquals(List.of(1L, 2L), claimIds(c, List.of(1L, 2L), "a"));
            assertTrue(finish(store, c, 1L, "a", Status.DONE, Map.of("score", 1.0), null, null));
            assertFalse(
                    finish(store, c, 1L, "a", Status.DONE, Map.of("score", 1.0), null, null),
                    "the repetition finds nothing to update");
            assertTrue(store.finishedUnder(c, 1L, claim("a")), "... and the check finds the first finish");
            assertFalse(store.finishedUnder(c, 2L, claim("a")), "row 2 is still running");
            clock.advance(Duration.ofSeconds(10));
            assertEquals(1, store.recover().requeued());
            assertFalse(finish(store, c, 2L, "a", Status.DONE, Map.of("score", 2.0), null, null));
            assertFalse(
                    store.finishedUnder(c, 2L, claim("a")), "a row recovered from the claim was not finished by it");
        }
        assertEquals(1, store.attempts(1L).size(), "one result, one attempt row");
    }

    @Test
    void manyWorkersClaimingAtOnceGetEachRowExactlyOnce() throws Exception {
        ExperimentConfig big = db().config(
                        dir, table + "_big", "keyfields { i { type = int, values = { start = 0, stop = 600 } } }\n");
        ExperimentStore s = new ExperimentStore(big);
        s.createTableIfMissing();
        try {
            s.fill(big.grid().iterator());
            List<Long> all = Collections.synchronizedList(new ArrayList<>());
            ExecutorService pool = Executors.newFixedThreadPool(6);
            List<Future<Integer>> futures = new ArrayList<>();
            for (int w = 0; w < 6; w++) {
                int worker = w;
                futures.add(pool.submit(() -> {
                    int n = 0;
                    try (Connection c = s.connect()) {
                        for (int k = 0; ; k++) {
                            Claim cl = new Claim("run", "w" + worker, "h", "w" + worker + "-" + k, null);
                            int limit = 1 + k % 5;
                            List<ClaimedRow> rows = claimRetryingDeadlocks(s, c, limit, cl);
                            if (rows.isEmpty()) {
                                return n;
                            }
                            assertTrue(rows.size() <= limit, "a claim of at most " + limit + " took " + rows.size());
                            for (ClaimedRow r : rows) {
                                all.add(r.id());
                                assertTrue(finish(s, c, r.id(), cl.token(), Status.DONE, Map.of(), null, null));
                                n++;
                            }
                        }
                    }
                }));
            }
            int total = 0;
            for (Future<Integer> f : futures) {
                total += f.get();
            }
            pool.shutdown();
            assertEquals(600, total);
            assertEquals(600, new HashSet<>(all).size());
            assertEquals(600L, s.counts().get(Status.DONE));
        } finally {
            s.drop();
        }
    }

    @Test
    void aLostRowIsReturnedToCreatedWhileAttemptsRemainThenMarkedLost() throws Exception {
        store.fill(config.grid().iterator());
        try (Connection c = store.connect()) {
            claimIds(c, List.of(1L), "a");
            clock.advance(Duration.ofSeconds(3));
            assertEquals(1, store.heartbeat(c, List.of("a")));
            clock.advance(Duration.ofSeconds(3)); // 3 s since the beat, lease is 4 s
            assertEquals(0, store.recover().requeued());
            clock.advance(Duration.ofSeconds(2));
            assertEquals(1, store.recover().requeued());
            Map<String, Object> r = store.row(1L);
            assertEquals("created", r.get("status"));
            assertNull(r.get("claim_token"));
            assertFalse(
                    finish(store, c, 1L, "a", Status.DONE, Map.of("score", 1.0), null, null),
                    "the old claim cannot finish the row");

            assertEquals(List.of(1L), claimIds(c, List.of(1L), "b"));
            clock.advance(Duration.ofSeconds(10));
            org.experimenter.Recovery rec = store.recover();
            assertEquals(1, rec.failed());
            r = store.row(1L);
            assertEquals("error", r.get("status"));
            assertEquals("lost", r.get("error_kind"));
            assertTrue(((String) r.get("error")).contains("attempt 2 of 2 held by executor exec1 on host1"), (String)
                    r.get("error"));
        }
    }

    /** A store on another machine whose clock is off by the given amount (the lease is 4 s). */
    private ExperimentStore skewed(Duration skew) {
        return new ExperimentStore(config).withClock(Clock.offset(clock, skew));
    }

    @Test
    void aLiveRowOfAWorkerWhoseClockIsTwoLeasesBehindIsNotRecovered() throws Exception {
        ExperimentStore worker = skewed(Duration.ofSeconds(-8));
        store.fill(config.grid().iterator());
        try (Connection c = store.connect()) {
            assertEquals(1, worker.claimIds(c, List.of(1L), claim("a")).size());
            assertEquals(0, store.recover().requeued(), "the heartbeat is the database's time, not the worker's");
            clock.advance(Duration.ofSeconds(3));
            assertEquals(1, worker.heartbeat(c, List.of("a")));
            clock.advance(Duration.ofSeconds(3));
            assertEquals(0, store.recover().requeued());
            clock.advance(Duration.ofSeconds(2));
            assertEquals(1, store.recover().requeued(), "4 s after the last beat the row is lost");
        }
    }

    @Test
    void aDeadRowOfAWorkerWhoseClockIsTwoLeasesAheadIsRecoveredAfterOneLease() throws Exception {
        ExperimentStore worker = skewed(Duration.ofSeconds(8));
        store.fill(config.grid().iterator());
        try (Connection c = store.connect()) {
            // both read the database's clock before the test clock moves (real clocks move together)
            assertEquals(0, store.recover().requeued());
            assertEquals(1, worker.claimIds(c, List.of(1L), claim("a")).size());
            clock.advance(Duration.ofSeconds(3));
            assertEquals(0, store.recover().requeued());
            clock.advance(Duration.ofSeconds(2));
            assertEquals(1, store.recover().requeued(), "lost 5 s after its claim, not 5 s + 8 s");
        }
    }

    @Test
    void aRecoveryWithAShorterLeaseJudgesARowByTheLeaseItsClaimWasTakenWith() throws Exception {
        ExperimentConfig quick = config.withOverrides(Map.of("lease.heartbeat-interval", "250ms"));
        ExperimentStore other = new ExperimentStore(quick).withClock(clock);
        store.fill(config.grid().iterator());
        try (Connection c = store.connect()) {
            assertEquals(0, other.recover().requeued());
            claimIds(c, List.of(1L), "a"); // under a lease of 4 s
            clock.advance(Duration.ofSeconds(2));
            assertEquals(0, other.recover().requeued(), "a lease of 1 s does not apply to a claim taken with 4 s");
            clock.advance(Duration.ofSeconds(3));
            assertEquals(1, other.recover().requeued());
        }
    }

    @Test
    void aTableMadeBeforeLeasesWereKeptGetsTheColumnAdded() throws Exception {
        try (Connection c = store.connect();
                java.sql.Statement st = c.createStatement()) {
            st.execute("ALTER TABLE " + table + " DROP COLUMN lease_ms");
        }
        store.createTableIfMissing();
        store.fill(config.grid().iterator());
        try (Connection c = store.connect()) {
            claimIds(c, List.of(1L), "a");
        }
        assertEquals(4000L, store.row(1L).get("lease_ms"));
    }

    @Test
    void anAttemptsTableMadeBeforeResourcesWereKeptGetsTheColumnAndAnOutOfMemoryErrorThatEscalatesGoesBack()
            throws Exception {
        try (Connection c = store.connect();
                java.sql.Statement st = c.createStatement()) {
            st.execute("ALTER TABLE " + table + "__attempts DROP COLUMN resources");
        }
        store.createTableIfMissing();
        store.fill(config.grid().iterator());
        try (Connection c = store.connect()) {
            claimIds(c, List.of(1L, 2L), "a");
            Claim claim = new Claim("run1", "exec1", "host1", "a", "app1");
            Outcome oom = new Outcome(
                    1L,
                    Status.ERROR,
                    Map.of(),
                    Map.of(),
                    "oom",
                    "CUDA out of memory",
                    new Outcome.Measure(clock.instant(), 0.5, 0.25, 1024, null),
                    new Outcome.Ran(null, "gpus=1 cpus=1 memory=8g gpu-addresses=0", null, null),
                    true);
            assertTrue(store.finish(c, claim, oom));
            Outcome last = new Outcome(
                    2L,
                    Status.ERROR,
                    Map.of(),
                    Map.of(),
                    "oom",
                    "exit code 137",
                    new Outcome.Measure(clock.instant(), 0.5, 0.25, 1024, null),
                    new Outcome.Ran(null, "gpus=1 cpus=1 memory=32g gpu-addresses=1", null, null),
                    false);
            assertTrue(store.finish(c, claim, last));
        }
        assertEquals("created", store.row(1L).get("status"), "a larger memory is left: the row runs again");
        assertEquals("error", store.row(2L).get("status"), "no larger memory: the row stays error");
        assertEquals(
                "gpus=1 cpus=1 memory=8g gpu-addresses=0",
                store.attempts(1L).get(0).get("resources"));
        assertEquals("oom", store.attempts(1L).get(0).get("outcome"));
        assertEquals(1, store.outOfMemoryAttempts(1L));
        assertEquals(0, store.outOfMemoryAttempts(3L));
    }

    @Test
    void aLostClaimOfSeveralRowsUsesNoAttemptAndItsRowsThenRunAloneUntilOneIsLostAlone() throws Exception {
        store.fill(config.grid().iterator());
        try (Connection c = store.connect()) {
            assertEquals(List.of(1L, 2L, 3L), claimIds(c, List.of(1L, 2L, 3L), "a"));
            // the worker dies before writing the claim: which row was running is not known
            clock.advance(Duration.ofSeconds(10));
            assertEquals(3, store.recover().requeued());
            for (long id : List.of(1L, 2L, 3L)) {
                Map<String, Object> r = store.row(id);
                assertEquals("created", r.get("status"));
                assertEquals(0, r.get("attempt"), "no row of a lost claim of several is charged");
                List<Map<String, Object>> attempts = store.attempts(id);
                assertEquals(1, attempts.size());
                assertEquals("released", attempts.get(0).get("outcome"));
                assertTrue(
                        ((String) attempts.get(0).get("error"))
                                .startsWith("not charged: one of 3 rows claimed together by executor exec1"),
                        (String) attempts.get(0).get("error"));
            }
            // claims of several rows now pass them by; they are claimed one at a time
            assertEquals(List.of(4L, 5L), claimIds(c, List.of(1L, 2L, 3L, 4L, 5L), "b"));
            assertEquals(
                    List.of(6L, 7L),
                    store.claimNext(c, 2, null, claim("c")).stream()
                            .map(ClaimedRow::id)
                            .collect(java.util.stream.Collectors.toList()));
            assertEquals(
                    List.of(1L),
                    store.claimNext(c, 1, null, claim("d")).stream()
                            .map(ClaimedRow::id)
                            .collect(java.util.stream.Collectors.toList()));
            assertEquals(List.of(2L), claimIds(c, List.of(2L), "e"));
            // a row lost alone is charged
            clock.advance(Duration.ofSeconds(10));
            store.recover();
            assertEquals(1, store.row(1L).get("attempt"), "lost alone: its attempt counts");
            assertEquals("lost", store.attempts(1L).get(1).get("outcome"));
            assertEquals(1, store.row(2L).get("attempt"));
        }
    }

    /** The query plan of a SELECT, as text. */
    abstract String plan(Connection c, String sql) throws Exception;

    /** Statistics of a table as the database gathers them on its own, some time after a change. */
    abstract void gatherStatistics(Connection c, String table) throws Exception;

    @Test
    void rowsAWorkerReleasesAreClaimedTogetherAgainAndTheirAttemptIsNotCounted() throws Exception {
        store.fill(config.grid().iterator());
        try (Connection c = store.connect()) {
            Claim first = claim("rel1");
            List<Long> taken = store.claimNext(c, 3, null, first).stream()
                    .map(ClaimedRow::id)
                    .toList();
            assertEquals(3, taken.size());
            // when: the worker stops before running them and releases its claim
            assertEquals(3, store.release(c, first));
            // then: they are open as rows that never ran, so a claim of several takes them again
            List<Long> again = store.claimNext(c, 3, null, claim("rel2")).stream()
                    .map(ClaimedRow::id)
                    .toList();
            assertEquals(taken, again, "released rows, claimed together again");
            for (Long id : again) {
                assertEquals(
                        1, ((Number) store.row(id).get("attempt")).intValue(), "the release's attempt is not counted");
            }
        }
    }

    @Test
    void aRowThatRanBeforeReleasedFromItsClaimOfOneStillRunsAlone() throws Exception {
        store.fill(config.grid().iterator());
        try (Connection c = store.connect()) {
            // given: row 2 lost with a claim of several rows earlier (open, its run id kept)
            try (java.sql.Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE " + table + " SET run_id = 'lost-run' WHERE id = 2");
            }
            // when: a claim of one takes it and a stop releases it
            Claim alone = claim("alone");
            assertEquals(
                    List.of(2L),
                    store.claimIds(c, List.of(2L), alone).stream()
                            .map(ClaimedRow::id)
                            .toList());
            assertEquals(1, store.release(c, alone));
            // then: a claim of several passes it by; it runs alone again
            List<Long> several = store.claimNext(c, 3, null, claim("several")).stream()
                    .map(ClaimedRow::id)
                    .toList();
            assertFalse(several.contains(2L), several.toString());
            assertEquals(
                    List.of(2L),
                    store.claimNext(c, 1, null, claim("one")).stream()
                            .map(ClaimedRow::id)
                            .toList());
        }
    }

    @Test
    void openRowsThatRanBeforeAreFoundThroughTheirIndexAmongManyOpenRows() throws Exception {
        ExperimentConfig big = db().config(
                        dir,
                        table + "_big",
                        "keyfields { a { type = int, values = { start = 0, stop = 200 } }, b { type = int, values = { start = 0, stop = 500 } } }\n"
                                + "resultfields { score = double }\n");
        ExperimentStore s = new ExperimentStore(big);
        s.createTableIfMissing();
        try {
            assertEquals(100_000, s.fill(big.grid().iterator()));
            RunScope returned = RunScope.all().returned();
            try (Connection c = s.connect()) {
                assertFalse(s.hasOpen(c, returned));
                Claim held = new Claim("run1", "exec1", "host1", "r", "app1");
                s.claimIds(c, List.of(77_777L), held);
                // a run whose job aborted returns its rows as rows that ran before (a worker's own
                // release returns them as never run: they did not take its executor down)
                assertEquals(1, s.releaseRun("run1"));
                assertTrue(s.hasOpen(c, returned));
                assertEquals(
                        List.of(), s.claimNext(c, 5, returned, claim("r2")), "rows that ran before are claimed alone");
                List<ClaimedRow> again = s.claimNext(c, 1, returned, claim("r3"));
                assertEquals(
                        List.of(77_777L),
                        again.stream().map(ClaimedRow::id).collect(java.util.stream.Collectors.toList()));
                gatherStatistics(c, big.table());
                String plan = plan(c, s.hasOpenQuery(returned));
                assertTrue(plan.contains(big.table() + "_returned_idx"), plan);
                // rows are done from the low ids up, while the statistics still say all are open: a
                // claim must not walk the primary key through the done rows
                try (java.sql.Statement st = c.createStatement()) {
                    st.executeUpdate("UPDATE " + big.table() + " SET status = 'done' WHERE id <= 90000");
                }
                String claimPlan = plan(c, s.nextOpenQuery(200, RunScope.all()).replace("LIMIT ?", "LIMIT 200"));
                assertTrue(
                        claimPlan.contains(big.table() + "_open_idx")
                                || claimPlan.contains(big.table() + "_status_idx"),
                        claimPlan);
            }
        } finally {
            s.drop();
        }
    }

    /** A halving table of 10,000 configurations (2 data sets x 5,000), all done at 1 epoch but 200 moved to 3. */
    static final String HALVING_CONF = String.join(
            "\n",
            "keyfields {",
            "  dataset { type = string, values = [a, b] }",
            "  x { type = int, values = { start = 0, stop = 5000 } }",
            "  epochs { type = int }",
            "}",
            "resultfields { val_loss = double }",
            "halving { field = epochs, min = 1, max = 9, eta = 3, by = [dataset], value = val_loss,"
                    + " lower-is-better = true, mode = async }",
            "");

    /** The halving table's rung query of rung 1 (3 epochs) of data set a, its parameters written in. */
    static String rungOneOfA(ExperimentStore s) {
        return s.halving()
                .rungQuery(RunScope.all())
                .replaceFirst("= \\?", "= 3")
                .replaceFirst("= \\?", "= 'a'");
    }

    /** Fills the halving table and gives it results: done at 1 epoch, x < 100 done at 3 epochs. */
    static void fillRungs(ExperimentConfig halving, Connection c) throws Exception {
        assertEquals(10_000, Experimenter.of(halving).fill());
        try (java.sql.Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE " + halving.table() + " SET status = 'done', val_loss = x");
            st.executeUpdate("UPDATE " + halving.table() + " SET epochs = 3 WHERE x < 100");
        }
    }

    @Test
    void aWorkersReadOfOneRungGoesThroughTheRungIndex() throws Exception {
        // given: a halving table whose rows are spread over rungs, with statistics
        ExperimentConfig halving = db().config(dir, table + "_rung", HALVING_CONF);
        ExperimentStore s = new ExperimentStore(halving);
        s.createTableIfMissing();
        try (Connection c = s.connect()) {
            fillRungs(halving, c);
            gatherStatistics(c, halving.table());
            // when: ASHA's worker reads one rung of one group (Halving.promoteFrom)
            String plan = plan(c, rungOneOfA(s));
            // then: through the index on budget, group and status, not the whole table
            assertTrue(plan.contains(halving.table() + "_rung_idx"), plan);
            // and the read finds that rung: what it promotes is of data set a, from 3 epochs to 9
            List<Halving.Promoted> promoted =
                    s.halving().promoteFrom(List.of(new Halving.Rung(List.of("a"), 1)), 1_000, RunScope.all());
            assertFalse(promoted.isEmpty());
            for (Halving.Promoted p : promoted) {
                assertEquals(List.of("a", 9), List.of(p.keys()[0], p.keys()[2]), java.util.Arrays.toString(p.keys()));
                assertTrue(((Number) p.keys()[1]).intValue() < 100, java.util.Arrays.toString(p.keys()));
            }
        } finally {
            s.drop();
        }
    }

    /**
     * A claim, again when the database rolled it back whole as a deadlock's victim (SQLSTATE 40001,
     * 40P01), as workers do ({@code Database.withRetry}): MariaDB's locking select and update can
     * deadlock with six claimers at once.
     */
    private static List<ClaimedRow> claimRetryingDeadlocks(ExperimentStore s, Connection c, int limit, Claim cl)
            throws java.sql.SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                return s.claimNext(c, limit, null, cl);
            } catch (java.sql.SQLException e) {
                if (attempt == 5 || !("40001".equals(e.getSQLState()) || "40P01".equals(e.getSQLState()))) {
                    throw e;
                }
            }
        }
    }

    /** {@link #asyncNineDone}, with x = 6, 7, 8 open again (x = 0 and 1 make the cut of the six done). */
    private ExperimentStore asyncSixDoneThreeOpen(String name) throws Exception {
        ExperimentStore s = asyncNineDone(name);
        try (Connection c = s.connect();
                java.sql.Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE " + s.table() + " SET status = 'created', val_loss = NULL WHERE x >= 6");
        }
        return s;
    }

    /** A worker's promotion before its claim ({@link ExperimentStore#promoteAndClaim}), from the first rung. */
    private static ExperimentStore.PromotedClaim fromFirstRung(
            ExperimentStore s, int limit, RunScope scope, Claim claim, boolean fill) {
        return s.promoteAndClaim(List.of(new Halving.Rung(List.of(), 0)), limit, scope, claim, fill);
    }

    /** The x and epochs of claimed rows of an ASHA table, in the claim's order. */
    private static List<List<Integer>> xAndEpochs(List<ClaimedRow> rows) {
        return rows.stream()
                .map(r -> List.of(((Number) r.keys()[0]).intValue(), ((Number) r.keys()[1]).intValue()))
                .toList();
    }

    /** An ASHA table (eta 3, rungs 1, 3, 9 epochs) of 9 configurations done at 1 epoch, val_loss = x. */
    private ExperimentStore asyncNineDone(String name) throws Exception {
        ExperimentConfig halving = db().config(
                        dir,
                        name,
                        String.join(
                                "\n",
                                "keyfields { x { type = int, values = { start = 0, stop = 9 } }, epochs { type = int } }",
                                "resultfields { val_loss = double }",
                                "halving { field = epochs, min = 1, max = 9, eta = 3, value = val_loss, lower-is-better = true,"
                                        + " mode = async }",
                                ""));
        ExperimentStore s = new ExperimentStore(halving);
        s.createTableIfMissing();
        assertEquals(9, Experimenter.of(halving).fill());
        try (Connection c = s.connect();
                java.sql.Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE " + halving.table() + " SET status = 'done', val_loss = x");
        }
        return s;
    }

    @Test
    void anAshaPromotionOfManyRowsReturnsTheIdsOfTheRowsItAddedAndSkipsThoseTheTableHas() throws Exception {
        // given: 9 configurations done at 1 epoch, val_loss = x, so x = 0, 1, 2 make the cut (eta 3)
        ExperimentStore s = asyncNineDone(table + "_asha");
        ExperimentConfig halving = s.config();
        try (Connection c = s.connect()) {
            // and x = 0 promoted by a driver whose mark was lost (its child is in the table, its row unmarked)
            List<Halving.Promoted> first = s.halving().promoteUpTo(1);
            assertEquals(1, first.size());
            assertEquals(0, ((Number) first.get(0).keys()[0]).intValue());
            try (java.sql.Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE " + halving.table() + " SET halving = NULL WHERE epochs = 1");
            }
            // when: two rows are asked for
            List<Halving.Promoted> added = s.halving().promoteUpTo(2);
            // then: x = 0's child is not inserted again nor counted; x = 1 and x = 2 take the two slots
            assertEquals(
                    List.of(1, 2),
                    added.stream().map(p -> ((Number) p.keys()[0]).intValue()).toList());
            for (Halving.Promoted p : added) {
                assertEquals(3, ((Number) p.keys()[1]).intValue());
                // and each id is the row with those keyfields at 3 epochs, whose parent is the promoted row
                Map<String, Object> row = s.row(p.id());
                assertEquals(p.keys()[0], ((Number) row.get("x")).intValue());
                assertEquals(3, ((Number) row.get("epochs")).intValue());
                assertEquals("created", row.get("status"));
            }
            try (java.sql.Statement st = c.createStatement();
                    java.sql.ResultSet rs =
                            st.executeQuery("SELECT COUNT(*) FROM " + halving.table() + " WHERE epochs = 3")) {
                rs.next();
                assertEquals(3, rs.getLong(1));
            }
            try (java.sql.Statement st = c.createStatement();
                    java.sql.ResultSet rs = st.executeQuery("SELECT x FROM " + halving.table()
                            + " WHERE epochs = 1 AND halving = 'promoted' ORDER BY x")) {
                List<Integer> marked = new ArrayList<>();
                while (rs.next()) {
                    marked.add(rs.getInt(1));
                }
                assertEquals(List.of(0, 1, 2), marked);
            }
        } finally {
            s.drop();
        }
    }

    @Test
    void anAshaWorkersPromotionFillsItsClaimWithOpenRowsInTheSameTransaction() throws Exception {
        // given: x = 0..5 done at 1 epoch (val_loss = x: x = 0 and 1 make the cut), x = 6, 7, 8 open
        ExperimentStore s = asyncSixDoneThreeOpen(table + "_ashafill");
        ExperimentConfig halving = s.config();
        try (Connection c = s.connect()) {
            Claim claim = new Claim("run1", "exec1", "host1", "promote-fill", "app1");
            // when: a worker that takes 4 rows at once promotes before its claim, filling it
            ExperimentStore.PromotedClaim p = fromFirstRung(s, 4, RunScope.all(), claim, true);
            // then: the two promoted rows and two open configurations, one claim, in id order
            assertEquals(2, p.added());
            List<List<Integer>> keys = xAndEpochs(p.claimed());
            assertEquals(4, keys.size(), keys.toString());
            assertTrue(keys.containsAll(List.of(List.of(0, 3), List.of(1, 3))), keys.toString());
            assertEquals(
                    2, keys.stream().filter(k -> k.get(1) == 1 && k.get(0) >= 6).count(), keys.toString());
            List<Long> ids = p.claimed().stream().map(ClaimedRow::id).toList();
            assertEquals(ids.stream().sorted().toList(), ids, "the order a claim's rows run in");
            for (ClaimedRow r : p.claimed()) {
                Map<String, Object> row = s.row(r.id());
                assertEquals("running", row.get("status"));
                assertEquals("promote-fill", row.get("claim_token"));
            }
            // and one open configuration is left; a promotion with nothing to promote claims nothing
            try (java.sql.Statement st = c.createStatement();
                    java.sql.ResultSet rs =
                            st.executeQuery("SELECT COUNT(*) FROM " + halving.table() + " WHERE status = 'created'")) {
                rs.next();
                assertEquals(1, rs.getLong(1));
            }
            Claim next = new Claim("run1", "exec1", "host1", "promote-fill-2", "app1");
            ExperimentStore.PromotedClaim none = fromFirstRung(s, 4, RunScope.all(), next, true);
            assertEquals(0, none.added());
            assertEquals(List.of(), none.claimed());
        } finally {
            s.drop();
        }
    }

    @Test
    void anAshaClaimFilledToSeveralRowsTakesNoRowThatRanBefore() throws Exception {
        // given: x = 0..5 done at 1 epoch (x = 0 and 1 make the cut); x = 6 ran before and is open
        // again (a lost executor's row: it runs alone), x = 7 and 8 never ran
        ExperimentStore s = asyncSixDoneThreeOpen(table + "_ashafillran");
        ExperimentConfig halving = s.config();
        try (Connection c = s.connect()) {
            try (java.sql.Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE " + halving.table() + " SET run_id = 'lost-run' WHERE x = 6");
            }
            Claim claim = new Claim("run1", "exec1", "host1", "promote-fill-ran", "app1");
            // when: a claim of 3 promotes two rows and fills the third place
            ExperimentStore.PromotedClaim p = fromFirstRung(s, 3, RunScope.all(), claim, true);
            // then: the third row is one that never ran; x = 6 waits for a claim of its own
            assertEquals(2, p.added());
            List<List<Integer>> keys = xAndEpochs(p.claimed());
            assertEquals(3, keys.size(), keys.toString());
            assertFalse(keys.contains(List.of(6, 1)), "a row that ran before, in a claim of several: " + keys);
            try (java.sql.Statement st = c.createStatement();
                    java.sql.ResultSet rs =
                            st.executeQuery("SELECT status FROM " + halving.table() + " WHERE x = 6 AND epochs = 1")) {
                assertTrue(rs.next());
                assertEquals("created", rs.getString(1));
            }
        } finally {
            s.drop();
        }
    }

    @Test
    void anAshaWorkersPromotionClaimsTheRowsItAddedThatItsScopeTakesInTheSameTransaction() throws Exception {
        // given: 9 configurations done at 1 epoch, val_loss = x, so x = 0, 1, 2 make the cut (eta 3)
        ExperimentStore s = asyncNineDone(table + "_ashaclaim");
        ExperimentConfig halving = s.config();
        try (Connection c = s.connect()) {
            Claim claim = new Claim("run1", "exec1", "host1", "promote-claim", "app1");
            // when: a worker whose run takes x >= 1 only promotes before its claim
            ExperimentStore.PromotedClaim p =
                    fromFirstRung(s, 10, RunScope.all().where(s.where("x >= 1")), claim, false);
            // then: the two rows of the scope that make the cut get children, claimed with their keys
            assertEquals(2, p.added());
            assertEquals(
                    List.of(List.of(1, 3), List.of(2, 3)),
                    p.claimed().stream()
                            .map(r -> List.of(((Number) r.keys()[0]).intValue(), ((Number) r.keys()[1]).intValue()))
                            .toList());
            for (ClaimedRow r : p.claimed()) {
                Map<String, Object> row = s.row(r.id());
                assertEquals("running", row.get("status"));
                assertEquals("promote-claim", row.get("claim_token"));
                assertEquals("run1", row.get("run_id"));
            }
            // when: a run that takes only the first rung promotes x = 0
            Claim other = new Claim("run2", "exec2", "host1", "promote-claim-2", "app1");
            ExperimentStore.PromotedClaim outside =
                    fromFirstRung(s, 10, RunScope.all().where(s.where("epochs = 1")), other, false);
            // then: its child is added but not claimed (the run does not take 3 epochs): it waits for another run
            assertEquals(1, outside.added());
            assertEquals(List.of(), outside.claimed());
            try (java.sql.Statement st = c.createStatement();
                    java.sql.ResultSet rs =
                            st.executeQuery("SELECT status FROM " + halving.table() + " WHERE epochs = 3 AND x = 0")) {
                assertTrue(rs.next());
                assertEquals("created", rs.getString(1));
            }
            // and a look with nothing left to promote claims nothing
            ExperimentStore.PromotedClaim again = fromFirstRung(s, 10, RunScope.all(), claim, false);
            assertEquals(0, again.added());
            assertEquals(List.of(), again.claimed());
        } finally {
            s.drop();
        }
    }

    @Test
    void resetReturnsRowsToCreatedKeepingIdsAndClearingResults() throws Exception {
        store.fill(config.grid().iterator());
        try (Connection c = store.connect()) {
            claimIds(c, List.of(1L, 2L, 3L), "a");
            finish(store, c, 1L, "a", Status.DONE, Map.of("score", 2.0), null, null);
            finish(store, c, 2L, "a", Status.ERROR, Map.of(), "exception", "boom");
        }
        assertEquals(2, store.admin().reset(Set.of(Status.ERROR, Status.RUNNING)));
        Map<String, Object> r2 = store.row(2L);
        assertEquals("created", r2.get("status"));
        assertNull(r2.get("error"));
        assertEquals(0, r2.get("attempt"));
        assertEquals("done", store.row(1L).get("status"));
        assertEquals(2.0, store.row(1L).get("score"));
        assertEquals(1, store.admin().reset(Set.of(Status.DONE)));
        assertNull(store.row(1L).get("score"));
        assertEquals(12, store.rows().size());
    }
}
