package org.experimenter.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.experimenter.Experiment;
import org.experimenter.Experimenter;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker without Spark: the rows of one claim run one after another on the runner thread;
 * a timeout in the middle of a claim gives up that experiment only, and the rest of the claim
 * runs on a fresh thread.
 */
class WorkerTest {
    @TempDir
    Path dir;

    @Test
    void aTimeoutInsideAClaimEndsThatRowAndTheRestOfTheClaimStillRuns() throws Exception {
        String table = TestDb.uniqueTable("worker");
        Experimenter ex = Experimenter.of(TestDb.SQLITE.config(
                dir,
                table,
                "keyfields { x { type = int, values = { start = 0, stop = 40 } } }\n"
                        + "resultfields { score = double, interrupted = boolean }\ntimeout = 1s\n"));
        ex.fill();
        Map<Integer, AtomicInteger> runs = new ConcurrentHashMap<>();
        Set<String> threads = ConcurrentHashMap.newKeySet();
        Experiment experiment = ctx -> {
            int x = ctx.parameters().getInt("x");
            runs.computeIfAbsent(x, k -> new AtomicInteger()).incrementAndGet();
            threads.add(Thread.currentThread().getName() + "#" + System.identityHashCode(Thread.currentThread()));
            if (x == 20) {
                Thread.sleep(60_000); // hangs until the timeout interrupts it
            }
            if (x == 21) {
                Thread.currentThread().interrupt(); // returns with its thread's interrupt flag set
            }
            boolean interrupted = false;
            if (x == 22) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            ctx.results().put("score", (double) x).put("interrupted", interrupted);
        };
        try (Worker worker = new Worker(TestDb.store(ex), experiment, "run-1", "test", null)) {
            worker.runRemaining(org.experimenter.store.RunScope.all());
            // rows 1 and 2 run alone, then the fast experiments make the claims large: row 20 times out inside one
            assertTrue(worker.batchSize() > 10, "claim size " + worker.batchSize());
        }
        Map<String, Long> byStatus = new java.util.TreeMap<>();
        TestDb.store(ex).rows().forEach(r -> byStatus.merge((String) r.get("status"), 1L, Long::sum));
        assertEquals(Map.of("done", 39L, "error", 1L), byStatus);
        long hung = TestDb.store(ex).idOf(new Object[] {20});
        Map<String, Object> timedOut = TestDb.store(ex).row(hung);
        assertEquals("timeout", timedOut.get("error_kind"));
        assertTrue((Double) timedOut.get("wall_time") >= 1.0, "wall time " + timedOut.get("wall_time"));
        assertEquals(null, timedOut.get("cpu_time"), "not measured for an experiment given up");
        assertEquals(null, timedOut.get("allocated_bytes"), "not measured for an experiment given up");
        assertEquals(
                false,
                TestDb.store(ex).row(TestDb.store(ex).idOf(new Object[] {22})).get("interrupted"),
                "the interrupt row 21 left behind reached row 22");
        for (int x = 0; x < 40; x++) {
            assertEquals(1, runs.get(x).get(), "executions of x = " + x);
        }
        assertEquals(2, threads.size(), "runner threads: the first, and the one after the timeout: " + threads);
        ex.drop();
    }

    /**
     * The kernel's count of OOM kills is read only around attempts of experiments that run
     * processes: a Java class's error that reads like a SIGKILL gets no note on it, and is no sign.
     */
    @Test
    void onlyAnExperimentThatRunsProcessesHasItsSigkillReadAgainstTheKernelsOomKills() throws Exception {
        Experimenter ex = Experimenter.of(TestDb.SQLITE.config(
                dir,
                TestDb.uniqueTable("oom_kind"),
                "keyfields { x { type = int, values = [1] } }\nresultfields { score = double }\n"));
        ex.fill();
        Experiment inThisJvm = ctx -> {
            throw new IllegalStateException("the tool exited with code 137");
        };
        try (Worker worker = new Worker(TestDb.store(ex), inThisJvm, "run-1", "test", null)) {
            worker.runRemaining(org.experimenter.store.RunScope.all());
        }
        Map<String, Object> row = TestDb.store(ex).rows().get(0);
        assertEquals("exception", row.get("error_kind"));
        String error = (String) row.get("error");
        assertTrue(error.contains("the tool exited with code 137"), error);
        assertFalse(error.contains("killed by SIGKILL"), "a Java class's attempt has no SIGKILL to read: " + error);

        ex.reset(Set.of(org.experimenter.Status.ERROR));
        Experiment withProcesses = new Experiment() {
            @Override
            public void run(org.experimenter.ExperimentContext ctx) {
                throw new IllegalStateException("the tool exited with code 137");
            }

            @Override
            public boolean runsProcesses() {
                return true;
            }
        };
        try (Worker worker = new Worker(TestDb.store(ex), withProcesses, "run-2", "test", null)) {
            worker.runRemaining(org.experimenter.store.RunScope.all());
        }
        String read = (String) TestDb.store(ex).rows().get(0).get("error");
        assertTrue(read.contains("killed by SIGKILL"), "an experiment that runs processes is read: " + read);
        ex.drop();
    }
}
