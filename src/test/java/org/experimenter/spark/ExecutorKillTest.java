package org.experimenter.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.experimenter.Experimenter;
import org.experimenter.testing.ExecutionLog;
import org.experimenter.testing.FaultReport;
import org.experimenter.testing.Faults;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of one executor JVM in the middle of a run on local-cluster[2,1,1024] (two executor
 * JVMs, as on a real cluster), with a 4 s lease. The driver runs in its own JVM, as
 * {@code experimenter run}.
 */
class ExecutorKillTest {
    /** Rows running under an executor (the executor column is "executorId-tTaskAttempt"). */
    static Set<Long> runningUnder(Experimenter ex, String executorId) {
        Set<Long> held = new TreeSet<>();
        for (Map<String, Object> r : TestDb.store(ex).rows()) {
            if ("running".equals(r.get("status"))
                    && String.valueOf(r.get("executor")).startsWith(executorId + "-")) {
                held.add((Long) r.get("id"));
            }
        }
        return held;
    }

    @Test
    void killingAnExecutorMidRunReRunsOnlyTheRowsItHeldWithinTwiceTheLease() throws Exception {
        String table = TestDb.uniqueTable("executor_kill");
        Path dir = Faults.runDir(table);
        Path log = dir.resolve("executions.log");
        Path conf = Faults.writeConfig(
                dir,
                TestDb.POSTGRES,
                table,
                log,
                40,
                "local-cluster[2,1,1024]",
                "sleep-ms = 800",
                // two partitions of 20 rows: the surviving task is still on its own partition when
                // the lost row comes back, and must pick it up all the same
                "lease { heartbeat-interval = 1s, missed-beats = 4, recovery-interval = 1s }\nexecution.partitions = 2");
        Experimenter ex = Experimenter.load(conf);
        assertEquals(40, ex.fill());
        Process driver = Faults.startDriver(dir.resolve("driver.out"), conf);
        try {
            // both executors have run a few rows: kill the one that started the latest row, mid-experiment
            ExecutionLog.Execution victim =
                    Faults.await("both executors to run experiments", Duration.ofSeconds(150), () -> {
                        ExecutionLog l = ExecutionLog.read(log);
                        return l.pids().size() >= 2 && l.size() >= 8 ? l.last() : null;
                    });
            Thread.sleep(300);
            long killMillis = System.currentTimeMillis();
            ProcessHandle executor = ProcessHandle.of(victim.pid()).orElseThrow();
            String cmdline = Files.readString(Path.of("/proc", Long.toString(victim.pid()), "cmdline"));
            assertTrue(cmdline.contains("CoarseGrainedExecutorBackend"), "the pid is an executor JVM: " + cmdline);
            executor.destroyForcibly(); // SIGKILL
            executor.onExit().get(10, TimeUnit.SECONDS);
            Set<Long> held = runningUnder(ex, victim.executor());

            assertTrue(driver.waitFor(240, TimeUnit.SECONDS), "the run ends");
            assertEquals(0, driver.exitValue(), Files.readString(dir.resolve("driver.out")));
            FaultReport report = FaultReport.collect("executor kill -9", TestDb.store(ex), ExecutionLog.read(log))
                    .killed(victim.pid(), killMillis, held);
            System.out.println(report.figures());
            assertFalse(held.isEmpty(), "the killed executor held a row");
            assertEquals(List.of(), report.problems());
        } finally {
            driver.destroyForcibly();
            ex.drop();
        }
    }
}
