package org.experimenter.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.experimenter.Experimenter;
import org.experimenter.testing.ExecutionLog;
import org.experimenter.testing.FaultReport;
import org.experimenter.testing.Faults;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An experiment that calls System.exit takes its executor JVM with it (local-cluster, so
 * that it is not the test JVM). Its row is lost with the executor: recovered when the lease
 * expires, tried again while attempts remain, then marked error 'lost'. Spark replaces the
 * executor and retries the task; the other rows of the run end done with one attempt each,
 * those lost in a claim with it having run again.
 * Slow (executor JVMs started three times, two leases waited out): runs with -Pfaults.
 */
@Tag("faults")
class ExperimentExitTest {

    @Test
    void anExperimentCallingSystemExitEndsAsLostAfterItsAttemptsAndTheOthersAreUnaffected() throws Exception {
        String table = TestDb.uniqueTable("experiment_exit");
        Path dir = Faults.runDir(table);
        Path log = dir.resolve("executions.log");
        Path conf = Faults.writeConfig(
                dir,
                TestDb.POSTGRES,
                table,
                log,
                30,
                "local-cluster[2,1,1024]",
                "sleep-ms = 40, misbehave { exit = [12] }",
                "max-attempts = 2\nlease { heartbeat-interval = 1s, missed-beats = 4, recovery-interval = 1s }");
        Experimenter ex = Experimenter.load(conf);
        ex.fill();
        Process driver = Faults.startDriver(dir.resolve("driver.out"), conf);
        try {
            long t0 = System.nanoTime();
            assertTrue(driver.waitFor(300, TimeUnit.SECONDS), "the run ends");
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(0, driver.exitValue(), Files.readString(dir.resolve("driver.out")));

            long exiting = MisbehavingExperimentsTest.id(ex, 12);
            ExecutionLog executions = ExecutionLog.read(log);
            FaultReport report = FaultReport.collect(
                            "System.exit in an experiment (local-cluster)", TestDb.store(ex), executions)
                    .expect(exiting, "error:lost");
            long executorsLost = executions.byRow().get(exiting).stream()
                    .map(ExecutionLog.Execution::pid)
                    .distinct()
                    .count();
            System.out.printf(
                    "%s; executor JVMs the experiment ended %d, run took %.1f s%n",
                    report.figures(), executorsLost, seconds);
            assertEquals(List.of(), report.problems());
            // Charged: the two attempts it took an executor down alone. Before those, it may have
            // been lost in a claim of several rows (outcomes are written when a claim ends, so which
            // row was running is not known): uncharged, and from then on it ran alone.
            List<Map<String, Object>> attempts = TestDb.store(ex).attempts(exiting);
            long charged = attempts.stream()
                    .filter(a -> a.get("outcome").equals("lost"))
                    .count();
            long withClaim = attempts.stream()
                    .filter(a -> a.get("outcome").equals("released"))
                    .count();
            assertEquals(2, charged, attempts.toString());
            assertTrue(withClaim <= 1, "lost with a claim of several rows at most once, then alone: " + attempts);
            assertEquals(charged + withClaim, attempts.size(), attempts.toString());
            assertTrue(String.valueOf(TestDb.store(ex).row(exiting).get("error"))
                    .startsWith("lost: attempt 2 of 2 held by executor"));
            assertEquals(attempts.size(), executorsLost, "each attempt took an executor JVM with it");
            for (Map<String, Object> r : TestDb.store(ex).rows()) {
                long id = (Long) r.get("id");
                if (id != exiting) {
                    // rows of a claim lost with the exiting one went back without using an attempt
                    assertEquals(
                            1,
                            r.get("attempt"),
                            "row " + id + " used one attempt: "
                                    + TestDb.store(ex).attempts(id));
                    if (report.rowsExecutedTwice().contains(id)) {
                        assertEquals(
                                List.of("released", "done"),
                                TestDb.store(ex).attempts(id).stream()
                                        .map(a -> a.get("outcome"))
                                        .collect(Collectors.toList()),
                                "row " + id + " ran twice: it must have been lost with a claim");
                    }
                }
            }
        } finally {
            driver.destroyForcibly();
            ex.drop();
        }
    }

    /**
     * In local mode an experiment that calls System.exit, or whose own thread does (the
     * experiment waiting for it, or failing meanwhile), ends its row error/exit: the thread is
     * the runner's or in its thread group. Released, uncharged, the row would run and end the JVM
     * again at every run, forever (as one whose thread called it was).
     */
    @ParameterizedTest
    @ValueSource(strings = {"exit", "exit-elsewhere", "exit-elsewhere-and-fail"})
    void inLocalModeTheExperimentCallingSystemExitEndsItsRowAsExitAndLeavesNothingRunning(String misbehaviour)
            throws Exception {
        String table = TestDb.uniqueTable("experiment_exit_local");
        Path dir = Faults.runDir(table);
        Path log = dir.resolve("executions.log");
        Path conf = Faults.writeConfig(
                dir,
                TestDb.SQLITE,
                table,
                log,
                12,
                "local[2]",
                "sleep-ms = 300, misbehave { " + misbehaviour + " = [4] }",
                "shutdown-grace = 2s");
        Experimenter ex = Experimenter.load(conf);
        ex.fill();
        Process driver = Faults.startDriver(dir.resolve("driver.out"), conf);
        try {
            assertTrue(driver.waitFor(180, TimeUnit.SECONDS), "the driver JVM ends");
            long exiting = MisbehavingExperimentsTest.id(ex, 4);
            FaultReport report = FaultReport.collect(
                            "System.exit in an experiment (local mode, " + misbehaviour + ")",
                            TestDb.store(ex),
                            ExecutionLog.read(log))
                    .expect(exiting, "error:exit")
                    .allowCreated();
            System.out.printf("%s; driver exit code %d%n", report.figures(), driver.exitValue());
            assertEquals(3, driver.exitValue(), "the JVM ends with the experiment's exit code");
            assertEquals(List.of(), report.problems(), Files.readString(dir.resolve("driver.out")));
            Map<String, Object> row = TestDb.store(ex).row(exiting);
            assertEquals("error", row.get("status"), "released, it would run and end the JVM again: " + row);
            assertEquals("exit", row.get("error_kind"), row.toString());
            assertTrue(String.valueOf(row.get("error")).contains("called System.exit"), row.toString());
        } finally {
            driver.destroyForcibly();
            ex.drop();
        }
    }
}
