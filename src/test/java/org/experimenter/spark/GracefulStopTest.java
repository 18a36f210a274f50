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
import org.experimenter.Status;
import org.experimenter.testing.ExecutionLog;
import org.experimenter.testing.FaultReport;
import org.experimenter.testing.Faults;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.Test;

/** SIGTERM to a driver JVM mid-run (what Ctrl-C and Process.destroy() send). */
class GracefulStopTest {
    static Set<Long> running(Experimenter ex) {
        Set<Long> out = new TreeSet<>();
        for (Map<String, Object> r : TestDb.store(ex).rows()) {
            if ("running".equals(r.get("status"))) {
                out.add((Long) r.get("id"));
            }
        }
        return out;
    }

    @Test
    void sigtermStopsClaimingAndLetsRunningExperimentsFinishWithinTheGracePeriod() throws Exception {
        String table = TestDb.uniqueTable("sigterm_finish");
        Path dir = Faults.runDir(table);
        Path log = dir.resolve("executions.log");
        Path conf = Faults.writeConfig(
                dir, TestDb.SQLITE, table, log, 20, "local[2]", "sleep-ms = 2000", "shutdown-grace = 30s");
        Experimenter ex = Experimenter.load(conf);
        ex.fill();
        Process driver = Faults.startDriver(dir.resolve("driver.out"), conf);
        Faults.await("4 rows done", Duration.ofSeconds(120), () -> ex.status().get(Status.DONE) >= 4 ? true : null);
        Thread.sleep(500); // the next experiments are under way
        long termMillis = System.currentTimeMillis();
        driver.destroy(); // SIGTERM
        Set<Long> runningAtTerm = running(ex);
        assertTrue(driver.waitFor(60, TimeUnit.SECONDS), "the driver exits");
        double exitSeconds = (System.currentTimeMillis() - termMillis) / 1000.0;

        ExecutionLog executions = ExecutionLog.read(log);
        FaultReport report = FaultReport.collect("SIGTERM, grace 30 s", TestDb.store(ex), executions)
                .allowCreated();
        long startedAfter = executions.all().stream()
                .filter(e -> e.startMillis() > termMillis + 1000)
                .count();
        System.out.printf(
                "%s; running at SIGTERM %s, exit after %.1f s, experiments started > 1 s after SIGTERM %d%n",
                report.figures(), runningAtTerm, exitSeconds, startedAfter);
        assertEquals(List.of(), report.problems(), Files.readString(dir.resolve("driver.out")));
        assertFalse(runningAtTerm.isEmpty(), "experiments were running at SIGTERM");
        for (Long id : runningAtTerm) {
            assertEquals(
                    "done",
                    TestDb.store(ex).row(id).get("status"),
                    "row " + id + " running at SIGTERM finished within the grace period");
        }
        assertEquals(0, startedAfter, "no experiment starts after SIGTERM");
        assertTrue(report.count("created") > 0, "the rest stays created for the next run");
        // and the run's summary says it was stopped and what it left, after the stop's own warning
        // (java.util.logging's handlers are gone while the JVM shuts down: the line went nowhere)
        String out = Files.readString(dir.resolve("driver.out"));
        assertTrue(out.contains(" WARN RunJob: stopping run "), out);
        assertTrue(
                out.contains("  stopped before its end: " + report.count("created")
                        + " rows of its scope open for the next run"),
                out);
        for (Map<String, Object> r : TestDb.store(ex).rows()) {
            if ("created".equals(r.get("status"))) {
                assertEquals(0, r.get("attempt"), "a row not run keeps its attempts: " + r);
                for (Map<String, Object> a : TestDb.store(ex).attempts((Long) r.get("id"))) {
                    assertEquals("released", a.get("outcome"), "a created row's only attempts are releases: " + a);
                }
            }
        }
        ex.drop();
    }

    @Test
    void sigtermReleasesExperimentsThatOutliveTheGracePeriodBackToCreated() throws Exception {
        String table = TestDb.uniqueTable("sigterm_release");
        Path dir = Faults.runDir(table);
        Path log = dir.resolve("executions.log");
        Path conf = Faults.writeConfig(
                dir,
                TestDb.SQLITE,
                table,
                log,
                6,
                "local[2]",
                "sleep-ms = 60000, misbehave { stubborn = [0, 1, 2, 3, 4, 5] }",
                "shutdown-grace = 2s\nmax-attempts = 1");
        Experimenter ex = Experimenter.load(conf);
        ex.fill();
        Process driver = Faults.startDriver(dir.resolve("driver.out"), conf);
        Faults.await(
                "2 experiments running",
                Duration.ofSeconds(120),
                () -> ExecutionLog.read(log).size() >= 2 ? true : null);
        Thread.sleep(500);
        Set<Long> runningAtTerm = running(ex);
        long termMillis = System.currentTimeMillis();
        driver.destroy(); // SIGTERM
        assertTrue(driver.waitFor(60, TimeUnit.SECONDS), "the driver exits");
        double exitSeconds = (System.currentTimeMillis() - termMillis) / 1000.0;

        FaultReport report = FaultReport.collect(
                        "SIGTERM, grace 2 s, experiments that never end", TestDb.store(ex), ExecutionLog.read(log))
                .allowCreated();
        System.out.printf(
                "%s; running at SIGTERM %s, exit after %.1f s%n", report.figures(), runningAtTerm, exitSeconds);
        assertEquals(List.of(), report.problems(), Files.readString(dir.resolve("driver.out")));
        assertEquals(2, runningAtTerm.size(), "two experiments were running at SIGTERM");
        assertEquals(6, report.count("created"), "every row is back to created");
        for (Long id : runningAtTerm) {
            Map<String, Object> r = TestDb.store(ex).row(id);
            assertEquals(0, r.get("attempt"), "a released attempt is not counted: " + r);
            List<Map<String, Object>> attempts = TestDb.store(ex).attempts(id);
            assertEquals(1, attempts.size(), attempts.toString());
            assertEquals("released", attempts.get(0).get("outcome"));
        }
        assertTrue(exitSeconds < 2 + 15, "the driver exits soon after the grace period: " + exitSeconds + " s");
        ex.drop();
    }

    /**
     * Ctrl-C to a driver of trivial experiments: between the JVM's shutdown and Spark's killing
     * the tasks, a task claims nothing more (it claimed and released a claim of 200 rows after
     * another, 4,000 rows in 0.4 s), and the rows it releases are open as rows that never ran,
     * not as a lost claim's rows, which run alone.
     */
    @Test
    void ctrlCReleasesAtMostAClaimPerTaskAndTheReleasedRowsNeedNotRunAlone() throws Exception {
        String table = TestDb.uniqueTable("sigint_trivial");
        Path dir = Faults.runDir(table);
        Path log = dir.resolve("executions.log");
        Path conf = Faults.writeConfig(dir, TestDb.SQLITE, table, log, 60_000, "local[2]", "sleep-ms = 0", "");
        Experimenter ex = Experimenter.load(conf);
        ex.fill();
        Process driver = Faults.startDriver(dir.resolve("driver.out"), conf);
        Faults.await(
                "5,000 rows done",
                Duration.ofSeconds(180),
                () -> ex.status().getOrDefault(Status.DONE, 0L) >= 5_000 ? true : null);
        new ProcessBuilder("kill", "-INT", Long.toString(driver.pid())).start().waitFor();
        assertTrue(driver.waitFor(120, TimeUnit.SECONDS), "the driver exits");
        Map<Status, Long> counts = ex.status();
        assertTrue(counts.getOrDefault(Status.CREATED, 0L) > 0, "stopped before the end: " + counts);
        assertEquals(0L, counts.getOrDefault(Status.RUNNING, 0L), "no row is left running: " + counts);
        try (java.sql.Connection c = TestDb.store(ex).connect();
                java.sql.Statement st = c.createStatement()) {
            long released = count(st, "SELECT COUNT(*) FROM " + table + "__attempts WHERE outcome = 'released'");
            long ranBefore =
                    count(st, "SELECT COUNT(*) FROM " + table + " WHERE status = 'created' AND run_id IS NOT NULL");
            System.out.printf(
                    "Ctrl-C after 5,000 rows: %s, released %d, open as run before %d%n", counts, released, ranBefore);
            assertTrue(released <= 2 * 200, "at most a claim of 200 rows per task released, not " + released);
            assertEquals(0, ranBefore, "released rows open as rows that ran before (claimed one at a time)");
        }
        ex.drop();
    }

    private static long count(java.sql.Statement st, String sql) throws java.sql.SQLException {
        try (java.sql.ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
