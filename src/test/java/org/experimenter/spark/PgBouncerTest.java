package org.experimenter.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.experimenter.Experimenter;
import org.experimenter.Status;
import org.experimenter.testing.ExecutionLog;
import org.experimenter.testing.Faults;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.Test;

/**
 * A run of 64 tasks at once through PgBouncer in transaction pooling mode (10 server
 * connections), which scripts/pgbouncer starts on 127.0.0.1:6432: claims, heartbeats, the
 * database's clock and finishes need no session state.
 */
class PgBouncerTest {
    @Test
    void aRunOf64TasksThroughPgBouncerInTransactionModeDoesEveryRowOnce() throws Exception {
        Process start =
                new ProcessBuilder("scripts/pgbouncer", "start").inheritIO().start();
        assertTrue(start.waitFor(30, TimeUnit.SECONDS) && start.exitValue() == 0, "scripts/pgbouncer start failed");
        String table = TestDb.uniqueTable("bouncer");
        Path dir = Faults.runDir(table);
        Path log = dir.resolve("executions.log");
        String url = TestDb.pgUrl().replace("127.0.0.1:5432", "127.0.0.1:6432") + "?prepareThreshold=0";
        Path conf = Faults.writeConfig(dir, TestDb.POSTGRES, table, log, 256, "local[64]", "sleep-ms = 200", "");
        Files.writeString(conf, Files.readString(conf).replace(TestDb.pgUrl(), url));
        Experimenter ex = Experimenter.load(conf);
        assertEquals(url, ex.config().url());
        ex.fill();
        Process driver = Faults.startDriver(dir.resolve("driver.out"), conf);
        assertTrue(driver.waitFor(5, TimeUnit.MINUTES), "the run ended");
        String out = Files.readString(dir.resolve("driver.out"));
        assertEquals(0, driver.exitValue(), out);
        assertEquals(Map.of(Status.DONE, 256L), nonZero(ex.status()), out);
        ExecutionLog executions = ExecutionLog.read(log);
        assertEquals(256, executions.byRow().size());
        assertEquals(Set.of(), executions.rowsExecutedTwice(), "rows run twice");
        ex.drop();
    }

    private static Map<Status, Long> nonZero(Map<Status, Long> counts) {
        Map<Status, Long> out = new java.util.EnumMap<>(Status.class);
        counts.forEach((s, n) -> {
            if (n > 0) {
                out.put(s, n);
            }
        });
        return out;
    }
}
