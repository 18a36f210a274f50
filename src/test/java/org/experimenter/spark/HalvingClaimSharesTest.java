package org.experimenter.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.experimenter.Experiment;
import org.experimenter.ExperimentContext;
import org.experimenter.Experimenter;
import org.experimenter.RunSummary;
import org.experimenter.store.ExperimentStore;
import org.experimenter.testing.TestDb;
import org.experimenter.testing.TestSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Synchronous halving's claims near a rung's end (Worker.shareOfOpen): with experiments long
 * enough that a claim holds more than a few milliseconds of work, no task claims more than its
 * share of a rung's open rows, so that the tasks reach the rung's barrier together. On SQLite:
 * the claims are the worker's, the same on every database.
 */
class HalvingClaimSharesTest {
    @TempDir
    Path dir;

    SparkSession spark = TestSpark.session();

    /** val_loss = x, after 3 ms: a claim of the worker's batch size (83 rows) holds 250 ms of work. */
    static final class ThreeMillis implements Experiment {
        private static final long serialVersionUID = 1L;

        @Override
        public void run(ExperimentContext ctx) throws InterruptedException {
            Thread.sleep(3);
            ctx.results().put("val_loss", (double) ctx.parameters().getInt("x"));
        }
    }

    /** val_loss = x, at once. */
    static final class Trivial implements Experiment {
        private static final long serialVersionUID = 1L;

        @Override
        public void run(ExperimentContext ctx) {
            ctx.results().put("val_loss", (double) ctx.parameters().getInt("x"));
        }
    }

    @Test
    void noTaskClaimsMoreThanItsShareOfARungsRowsWhenAClaimWouldHoldLongWork() {
        assertNoClaimOfTheSecondRungTakesMoreThanHalf(new ThreeMillis());
    }

    /**
     * With trivial experiments the claims are left whole (a count of the open rows would cost more
     * than it saves), but the first claim after a cut takes at most its share of the rows the cut
     * added, which the cut counted: one claim of the batch size took all 20, and the other task none.
     */
    @Test
    void theFirstClaimAfterACutTakesAtMostItsShareOfTheRowsTheCutAddedEvenWithTrivialExperiments() {
        assertNoClaimOfTheSecondRungTakesMoreThanHalf(new Trivial());
    }

    private void assertNoClaimOfTheSecondRungTakesMoreThanHalf(Experiment experiment) {
        // given: 60 configurations, rungs at 1 and 3 epochs: the cut adds 20 rows, run by two tasks at once
        String table = TestDb.uniqueTable("shares");
        Experimenter ex = Experimenter.of(TestDb.SQLITE.config(
                dir,
                table,
                String.join(
                        "\n",
                        "keyfields { x { type = int, values = { start = 0, stop = 60 } }, epochs { type = int } }",
                        "resultfields { val_loss = double }",
                        "halving { field = epochs, min = 1, max = 3, eta = 3, value = val_loss,"
                                + " lower-is-better = true, mode = sync }",
                        "")));
        ExperimentStore store = TestDb.store(ex);
        try {
            assertEquals(60, ex.fill());
            // when: one run goes through both rungs
            RunSummary s = ex.run(spark, experiment);
            // then: all 80 rows ran
            assertEquals(80, s.total());
            // and no claim took more than half of the second rung's 20 rows, where one claim of the
            // batch size would have taken all 20 and left the other task waiting for them at the barrier
            Map<Object, Integer> perClaim = new HashMap<>();
            for (Map<String, Object> r : store.rows()) {
                if (((Number) r.get("epochs")).intValue() == 3) {
                    perClaim.merge(r.get("claim_token"), 1, Integer::sum);
                }
            }
            int largest = perClaim.values().stream().max(Integer::compare).orElseThrow();
            assertTrue(largest <= 10, "claims of the second rung's rows: " + perClaim.values());
        } finally {
            store.drop();
        }
    }
}
