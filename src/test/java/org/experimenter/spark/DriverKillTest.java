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
    @Test
    void aSecondRunCompletesTheRestOnceTheLeasesOfTheKilledDriverExpire() throws Exception {
        String table = TestDb.uniqueTable("driver_kill");
        Path dir = Faults.runDir(table);
        Path log = dir.resolve("executions.log");
        Path conf = Faults.writeConfig(
                dir,
                TestDb.SQLITE,
                table,
                log,
                24,
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
        driver.destroyForcibly(); // SIGKILL: no shutdown hook, nothing released
        assertTrue(driver.waitFor(10, TimeUnit.SECONDS));
        Set<Long> held = GracefulStopTest.running(ex);
        assertFalse(held.isEmpty(), "the killed driver held rows");

        // a run started before the lease expires leaves the dead driver's rows alone ...
        // ... so wait for it, as a user would, and run again
        Thread.sleep(ex.config().leaseTimeout().toMillis() + 500);
        RunSummary second = ex.run(TestSpark.session());

        FaultReport report = FaultReport.collect(
                        "driver kill -9, then a second run", TestDb.store(ex), ExecutionLog.read(log))
                .killed(driver.pid(), killMillis, held)
                .withoutPickupLimit(); // the second run starts when the test says so
        System.out.println(report.figures() + "; second run: " + second.count(Status.DONE) + " done");
        assertEquals(List.of(), report.problems());
        assertEquals(24L, ex.status().get(Status.DONE));
        ex.drop();
    }

    @Test
    void aRunStartedRightAfterTheKillWaitsForTheKilledDriversRowsAndRunsThem() throws Exception {
        String table = TestDb.uniqueTable("driver_restart");
        Path dir = Faults.runDir(table);
        Path log = dir.resolve("executions.log");
        Path conf = Faults.writeConfig(
                dir,
                TestDb.SQLITE,
                table,
                log,
                24,
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
        driver.destroyForcibly();
        assertTrue(driver.waitFor(10, TimeUnit.SECONDS));
        Set<Long> held = GracefulStopTest.running(ex);
        assertFalse(held.isEmpty(), "the killed driver held rows");

        RunSummary second = ex.run(TestSpark.session()); // at once, as anyone would after a crash

        FaultReport report = FaultReport.collect(
                        "driver kill -9, then a run at once", TestDb.store(ex), ExecutionLog.read(log))
                .killed(driver.pid(), killMillis, held)
                .withoutPickupLimit();
        System.out.println(report.figures() + "; second run: " + second.count(Status.DONE) + " done");
        assertEquals(List.of(), report.problems());
        assertEquals(24L, ex.status().get(Status.DONE), "no row left running: " + ex.status());
        assertEquals(Map.of(), second.heldElsewhere());
        ex.drop();
    }
}
