package org.experimenter.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.experimenter.Experimenter;
import org.experimenter.testing.ExecutionLog;
import org.experimenter.testing.FaultReport;
import org.experimenter.testing.Faults;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two driver JVMs, each its own Spark application, at once on the same 10,000-row table. The
 * experiments sleep 2 ms: a run then lasts longer than the few seconds between the two
 * drivers' starts, so both really work on the table at once.
 */
@Tag("faults")
class TwoDriversTenThousandRowsTest {
    @ParameterizedTest
    @EnumSource(TestDb.class)
    void twoDriversOnTenThousandRowsRunEachRowExactlyOnce(TestDb db) throws Exception {
        String table = TestDb.uniqueTable("two_drivers_10k");
        Path dir = Faults.runDir(table);
        Path log = dir.resolve("executions.log");
        Path conf = Faults.writeConfig(dir, db, table, log, 10_000, "local[2]", "sleep-ms = 2", "");
        Experimenter ex = Experimenter.load(conf);
        assertEquals(10_000, ex.fill());
        try {
            long t0 = System.nanoTime();
            Process a = Faults.startDriver(dir.resolve("a.out"), conf);
            Process b = Faults.startDriver(dir.resolve("b.out"), conf);
            assertTrue(a.waitFor(600, TimeUnit.SECONDS) && b.waitFor(600, TimeUnit.SECONDS), "both drivers finish");
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(0, a.exitValue(), Files.readString(dir.resolve("a.out")));
            assertEquals(0, b.exitValue(), Files.readString(dir.resolve("b.out")));

            ExecutionLog executions = ExecutionLog.read(log);
            FaultReport report =
                    FaultReport.collect("two drivers, 10,000 rows (" + db + ")", TestDb.store(ex), executions);
            System.out.printf(
                    "%s; per driver %s executions; both done after %.1f s%n",
                    report.figures(), perPid(executions), seconds);
            assertEquals(List.of(), report.problems());
            assertEquals(0, report.rowsExecutedTwice().size(), "rows executed twice");
            assertEquals(0, report.rowsNeverExecuted().size(), "rows lost");
            assertEquals(10_000, executions.size());
            assertEquals(2, executions.pids().size(), "both drivers ran experiments, so they really overlapped");
        } finally {
            ex.drop();
        }
    }

    static List<Long> perPid(ExecutionLog log) {
        return log.pids().stream()
                .map(p -> log.all().stream().filter(e -> e.pid() == p).count())
                .toList();
    }
}
