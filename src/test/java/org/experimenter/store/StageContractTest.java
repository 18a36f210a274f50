package org.experimenter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.experimenter.Experimenter;
import org.experimenter.ExperimenterException;
import org.experimenter.StoreException;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Follow-up stages on every database: the stage and parent columns, promote, the stage filter
 * and the seed-major claim order. One subclass per database.
 */
abstract class StageContractTest {
    static final String CONF = String.join(
            "\n",
            "keyfields {",
            "  dataset { type = string, values = [a, b] }",
            "  k { type = int, values = [1, 2, 3] }",
            "  seed { type = int, values = { start = 0, stop = 3 } }",
            "}",
            "resultfields { acc = double, loss = int }",
            "");

    @TempDir
    Path dir;

    ExperimentConfig config;
    ExperimentStore store;
    Experimenter ex;
    String table;

    abstract TestDb db();

    @BeforeEach
    void fill() {
        table = TestDb.uniqueTable("stage");
        config = db().config(dir, table, CONF);
        ex = Experimenter.of(config);
        store = new ExperimentStore(config);
        assertEquals(18, ex.fill());
    }

    @AfterEach
    void drop() {
        store.drop();
    }

    /**
     * Marks every grid row done with acc = 0.1 * k + a bonus: on data set a, k = 2 is best (bonus
     * 0.5), on b, k = 3 (no bonus). loss = 10 - k.
     */
    void finishGrid() throws Exception {
        try (Connection c = store.connect();
                PreparedStatement ps = c.prepareStatement(
                        "UPDATE " + table + " SET status = 'done', acc = ?, loss = ? WHERE id = ?")) {
            for (Map<String, Object> r : store.rows()) {
                int k = (Integer) r.get("k");
                double bonus = r.get("dataset").equals("a") && k == 2 ? 0.5 : 0;
                ps.setDouble(1, 0.1 * k + bonus + 0.001 * (Integer) r.get("seed"));
                ps.setInt(2, 10 - k);
                ps.setLong(3, (Long) r.get("id"));
                ps.executeUpdate();
            }
        }
    }

    Experimenter.Promoted promote(String where, String seeds, boolean lower, String value, boolean dryRun) {
        List<Object> values = new ArrayList<>();
        String[] ends = seeds.split("\\.\\.");
        for (int s = Integer.parseInt(ends[0]); s <= Integer.parseInt(ends[1]); s++) {
            values.add(s);
        }
        return ex.promote(List.of("dataset"), 1, value, lower, where, 1, "seed", values, dryRun);
    }

    List<Map<String, Object>> rowsOfStage(int stage) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> r : store.rows()) {
            if (r.get("stage").equals(stage)) {
                out.add(r);
            }
        }
        return out;
    }

    long firstId(String dataset, int k) {
        long min = Long.MAX_VALUE;
        for (Map<String, Object> r : store.rows()) {
            if (r.get("dataset").equals(dataset) && r.get("k").equals(k)) {
                min = Math.min(min, (Long) r.get("id"));
            }
        }
        return min;
    }

    @Test
    void gridRowsAreStageOneWithoutParent() {
        for (Map<String, Object> r : store.rows()) {
            assertEquals(1, r.get("stage"));
            assertNull(r.get("parent_id"));
        }
    }

    @Test
    void aTableMadeBeforeStagesGetsTheColumnsAndItsRowsAreStageOne() throws Exception {
        try (Connection c = store.connect();
                Statement st = c.createStatement()) {
            st.execute("ALTER TABLE " + table + " DROP COLUMN parent_id");
            st.execute("ALTER TABLE " + table + " DROP COLUMN stage");
        }
        store.createTableIfMissing();
        assertEquals(18, store.rows().size());
        for (Map<String, Object> r : store.rows()) {
            assertEquals(1, r.get("stage"), "rows already there take the default: the grid's stage");
            assertNull(r.get("parent_id"));
        }
    }

    @Test
    void promoteAddsTheBestConfigurationOfEachGroupWithTheNewSeedsAtTheNextStage() throws Exception {
        finishGrid();
        Experimenter.Promoted p = promote(null, "3..7", false, "acc", false);
        assertEquals(10, p.added());
        assertEquals(2, p.plan().stage());
        assertEquals(2, p.plan().chosen().size());
        assertEquals(Map.of("dataset", "a", "k", 2), p.plan().chosen().get(0).configuration());
        assertEquals(Map.of("dataset", "b", "k", 3), p.plan().chosen().get(1).configuration());
        assertEquals(0.701, p.plan().chosen().get(0).mean(), 1e-9);
        assertEquals(3, p.plan().chosen().get(0).rows());
        List<Map<String, Object>> added = rowsOfStage(2);
        assertEquals(10, added.size());
        for (Map<String, Object> r : added) {
            assertEquals("created", r.get("status"));
            boolean a = r.get("dataset").equals("a");
            assertEquals(a ? 2 : 3, r.get("k"));
            assertEquals(a ? firstId("a", 2) : firstId("b", 3), r.get("parent_id"));
            int seed = (Integer) r.get("seed");
            assertTrue(seed >= 3 && seed <= 7, "seed " + seed);
        }
        assertEquals(18, rowsOfStage(1).size());
    }

    @Test
    void promotingTwiceAddsNothing() throws Exception {
        finishGrid();
        promote(null, "3..7", false, "acc", false);
        Experimenter.Promoted again = promote(null, "3..7", false, "acc", false);
        assertEquals(0, again.added());
        assertEquals(0, again.plan().rows().size());
        assertEquals(10, again.plan().alreadyThere());
        assertEquals(28, store.rows().size());
    }

    @Test
    void seedsAConfigurationHasUsedAreRefusedNamingThemAndNothingIsAdded() throws Exception {
        finishGrid();
        ExperimenterException e =
                assertThrows(ExperimenterException.class, () -> promote(null, "1..4", false, "acc", false));
        assertEquals(
                "--set seed: dataset=a, k=2 already has rows with seed 1, 2 (stage 1) (so has 1 more configuration);"
                        + " give values none of the promoted configurations has used; nothing was added",
                e.getMessage());
        assertEquals(18, store.rows().size());
    }

    /**
     * --set takes up to 1,000,000 values; the check for values a configuration has used read them
     * all as parameters of one statement, past what PostgreSQL and MariaDB take (65,535) and
     * SQLite's (32,766).
     */
    @Test
    void aPromotionWithMoreValuesThanOneStatementTakesIsPlanned() throws Exception {
        finishGrid();
        Experimenter.Promoted p = promote(null, "3..70002", false, "acc", true);
        assertEquals(140_000, p.plan().rows().size());
        assertEquals(18, store.rows().size());
    }

    @Test
    void aDryRunPlansWithoutAdding() throws Exception {
        finishGrid();
        Experimenter.Promoted p = promote(null, "3..4", false, "acc", true);
        assertEquals(4, p.plan().rows().size());
        assertEquals(0, p.added());
        assertEquals(18, store.rows().size());
    }

    @Test
    void theRankingTakesTheWhereRuleLowerIsBetterAndDoneRowsOnly() throws Exception {
        finishGrid();
        try (Connection c = store.connect();
                Statement st = c.createStatement()) {
            // k = 1 of data set b: one row not done, one done row worse than k = 2's
            st.execute("UPDATE " + table + " SET status = 'error' WHERE dataset = 'b' AND k = 1 AND seed = 0");
        }
        Experimenter.Promoted p = promote("k <> 2", "3..3", true, "loss", true);
        assertEquals(Map.of("dataset", "a", "k", 3), p.plan().chosen().get(0).configuration());
        assertEquals(Map.of("dataset", "b", "k", 3), p.plan().chosen().get(1).configuration());
        assertEquals(7.0, p.plan().chosen().get(0).mean(), 1e-9);
        assertEquals(1, p.plan().notDone());
        Experimenter.Promoted worst = promote("k <> 3", "3..3", false, "loss", true);
        assertEquals(
                Map.of("dataset", "a", "k", 1), worst.plan().chosen().get(0).configuration());
        assertEquals(2, worst.plan().chosen().get(1).rows(), "the error row is left out");
    }

    @Test
    void tiesGoToTheConfigurationFirstInTheGrid() throws Exception {
        try (Connection c = store.connect();
                Statement st = c.createStatement()) {
            st.execute("UPDATE " + table + " SET status = 'done', acc = 0.5");
        }
        Experimenter.Promoted p = promote(null, "3..3", false, "acc", true);
        assertEquals(Map.of("dataset", "a", "k", 1), p.plan().chosen().get(0).configuration());
        assertEquals(Map.of("dataset", "b", "k", 1), p.plan().chosen().get(1).configuration());
    }

    @Test
    void badOptionsAreRefusedNamingThem() {
        assertEquals(
                "--by nope: no such keyfield; the keyfields are [dataset, k, seed]",
                assertThrows(
                                ExperimenterException.class,
                                () -> ex.promote(List.of("nope"), 1, "acc", false, null, 1, "seed", List.of(5), false))
                        .getMessage());
        assertTrue(assertThrows(
                        ExperimenterException.class,
                        () -> ex.promote(List.of("seed"), 1, "acc", false, null, 1, "seed", List.of(5), false))
                .getMessage()
                .startsWith("--by seed: the new rows take new values of seed"));
        assertEquals(
                "--value dataset: no such result field; the numeric result fields are [acc, loss]",
                assertThrows(
                                ExperimenterException.class,
                                () -> ex.promote(
                                        List.of("dataset"), 1, "dataset", false, null, 1, "seed", List.of(5), false))
                        .getMessage());
    }

    @Test
    void aPromotionFromStageTwoAddsStageThreeWithParentsInStageTwo() throws Exception {
        finishGrid();
        promote(null, "3..4", false, "acc", false);
        try (Connection c = store.connect();
                Statement st = c.createStatement()) {
            st.execute("UPDATE " + table + " SET status = 'done', acc = 1 WHERE stage = 2");
        }
        Experimenter.Promoted p = ex.promote(List.of(), 1, "acc", false, null, 2, "seed", List.of(10, 11), false);
        assertEquals(2, p.added());
        assertEquals(3, p.plan().stage());
        long parent = p.plan().chosen().get(0).parentId();
        assertEquals(2, store.row(parent).get("stage"));
        assertEquals(2, rowsOfStage(3).size());
    }

    @Test
    void theStageFilterComposesWithTheWhereRule() throws Exception {
        finishGrid();
        promote(null, "3..7", false, "acc", false);
        assertEquals(10, rows(store.where(null, 2)));
        assertEquals(18, rows(store.where(null, 1)));
        assertEquals(5, rows(store.where("dataset = 'a'", 2)));
        assertEquals(3, rows(store.where("dataset = 'a' AND k = 2", 1)));
        assertEquals(0, rows(store.where("k = 1", 2)));
        assertEquals(
                "--stage 0: stages are numbered from 1 (the grid's rows)",
                assertThrows(ExperimenterException.class, () -> store.where(null, 0))
                        .getMessage());
    }

    private long rows(Where where) {
        long n = 0;
        for (StatusCount s : store.counts(where, List.of())) {
            n += s.rows();
        }
        return n;
    }

    // ---- seed-major claim order -----------------------------------------------------------------

    private List<Integer> claimSeeds(RunScope scope, int batch) throws Exception {
        List<Integer> seeds = new ArrayList<>();
        Map<Long, Integer> seedOf = new java.util.HashMap<>();
        for (Map<String, Object> r : store.rows()) {
            seedOf.put((Long) r.get("id"), (Integer) r.get("seed"));
        }
        try (Connection c = store.connect()) {
            for (int i = 0; ; i++) {
                List<ClaimedRow> got = store.claimNext(c, batch, scope, new Claim("run", "e", "h", "t" + i, "app"));
                if (got.isEmpty()) {
                    return seeds;
                }
                // a claim of several rows runs them in id order; its rows are the next in the scope's order
                List<Integer> claim = new ArrayList<>();
                for (ClaimedRow r : got) {
                    claim.add(seedOf.get(r.id()));
                }
                claim.sort(null);
                seeds.addAll(claim);
            }
        }
    }

    @Test
    void seedMajorClaimsEveryConfigurationOfASeedBeforeTheNextSeed() throws Exception {
        List<Integer> seeds = claimSeeds(RunScope.all().seedMajor("seed"), 4);
        assertEquals(18, seeds.size());
        for (int i = 0; i < seeds.size(); i++) {
            assertEquals(i / 6, seeds.get(i), "claim order " + seeds);
        }
    }

    @Test
    void idOrderClaimsTheGridAsItWasFilled() throws Exception {
        List<Integer> seeds = claimSeeds(RunScope.all(), 3);
        assertEquals(List.of(0, 1, 2, 0, 1, 2), seeds.subList(0, 6), "the grid's seeds are innermost");
    }

    @Test
    void seedMajorKeepsItsOrderShuffledWithinASeedAndUnderAMaximum() throws Exception {
        List<Integer> shuffled = claimSeeds(RunScope.all().shuffled(42L).seedMajor("seed"), 1);
        for (int i = 0; i < shuffled.size(); i++) {
            assertEquals(i / 6, shuffled.get(i), "claim order " + shuffled);
        }
        store.admin().reset(java.util.Set.of(org.experimenter.Status.RUNNING));
        RunScope firstSeven = store.runs().limitScope(RunScope.all().seedMajor("seed"), 7);
        List<Integer> limited = claimSeeds(firstSeven, 3);
        assertEquals(List.of(0, 0, 0, 0, 0, 0, 1), limited);
    }

    @Test
    void seedMajorRefusesIdsBeyondItsOrderKey() throws Exception {
        try (Connection c = store.connect();
                Statement st = c.createStatement()) {
            st.execute("UPDATE " + table + " SET id = 4294967296 WHERE id = (SELECT m FROM (SELECT MAX(id) AS m FROM "
                    + table + ") x)");
        }
        StoreException e = assertThrows(
                StoreException.class,
                () -> store.runs().limitScope(RunScope.all().seedMajor("seed"), 0));
        assertTrue(
                e.getMessage().startsWith("seed-major order keeps ids below 4294967296; table " + table),
                e.getMessage());
    }
}
