package org.experimenter.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.experimenter.Experimenter;
import org.experimenter.RunSummary;
import org.experimenter.Status;
import org.experimenter.testing.ExecutionLog;
import org.experimenter.testing.FaultReport;
import org.experimenter.testing.Faults;
import org.experimenter.testing.TestDb;
import org.experimenter.testing.TestSpark;
import org.junit.jupiter.api.Test;

/** kill -9 of the driver JVM mid-run (local mode: its executors die with it), then a second run. */
class DriverKillTest {
    static final int ROWS = 12;

    @Test
    void aSecondRunCompletesTheRestOnceTheLeasesOfTheKilledDriverExpire() throws Exception {
        Killed k = killDriverMidRun("driver_kill");
        // a run started before the lease expires leaves the dead driver's rows alone ...
        // ... so wait for it, as a user would, and run again
        Thread.sleep(k.ex().config().leaseTimeout().toMillis() + 500);
        RunSummary second = k.ex().run(TestSpark.session());

        assertNoProblems(k, "driver kill -9, then a second run", second);
        k.ex().drop();
    }

    @Test
    void aRunStartedRightAfterTheKillWaitsForTheKilledDriversRowsAndRunsThem() throws Exception {
        Killed k = killDriverMidRun("driver_restart");
        RunSummary second = k.ex().run(TestSpark.session()); // at once, as anyone would after a crash

        assertNoProblems(k, "driver kill -9, then a run at once", second);
        assertEquals(Map.of(), second.heldElsewhere());
        k.ex().drop();
    }

    /** A driver killed with SIGKILL while it held rows: no shutdown hook ran, nothing was released. */
    private record Killed(Experimenter ex, Path log, Process driver, long killMillis, Set<Long> held) {}

    /**
     * 12 experiments of a second each on local[2] in a child JVM, killed after 6 executions: the
     * second run has the killed driver's rows and about 4 never started (24 rows kept it busy 9 s
     * longer and showed nothing more).
     */
    private static Killed killDriverMidRun(String prefix) throws Exception {
        String table = TestDb.uniqueTable(prefix);
        Path dir = Faults.runDir(table);
        Path log = dir.resolve("executions.log");
        Path conf = Faults.writeConfig(
                dir,
                TestDb.SQLITE,
                table,
                log,
                ROWS,
                "local[2]",
                "sleep-ms = 1000",
                "lease { heartbeat-interval = 1s, missed-beats = 4, recovery-interval = 1s }");
        Experimenter ex = Experimenter.load(conf);
        ex.fill();
        Process driver = Faults.startDriver(dir.resolve("driver.out"), conf);
        Faults.await(
                "6 executions",
                Duration.ofSeconds(120),
                () -> ExecutionLog.read(log).size() >= 6 ? true : null);
        Thread.sleep(300);
        long killMillis = System.currentTimeMillis();
        driver.destroyForcibly(); // SIGKILL
        assertTrue(driver.waitFor(10, TimeUnit.SECONDS));
        Set<Long> held = GracefulStopTest.running(ex);
        assertFalse(held.isEmpty(), "the killed driver held rows");
        return new Killed(ex, log, driver, killMillis, held);
    }

    /** Every row done once, none lost or left running. */
    private static void assertNoProblems(Killed k, String name, RunSummary second) throws Exception {
        FaultReport report = FaultReport.collect(name, TestDb.store(k.ex()), ExecutionLog.read(k.log()))
                .killed(k.driver().pid(), k.killMillis(), k.held())
                .withoutPickupLimit(); // the second run starts when the test says so
        System.out.println(report.figures() + "; second run: " + second.count(Status.DONE) + " done");
        assertEquals(List.of(), report.problems());
        assertEquals((long) ROWS, k.ex().status().get(Status.DONE), "no row left running: " + k.ex().status());
    }
}
