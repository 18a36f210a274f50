package org.experimenter.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.experimenter.Experimenter;
import org.experimenter.testing.Faults;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.Test;

/**
 * A run of 64 tasks at once through PgBouncer in transaction pooling mode (10 server
 * connections), which scripts/dev/pgbouncer starts on 127.0.0.1:6432: claims, heartbeats, the
 * database's clock and finishes need no session state.
 */
class PgBouncerTest {
    @Test
    void aRunOf64TasksThroughPgBouncerInTransactionModeDoesEveryRowOnce() throws Exception {
        Process start =
                new ProcessBuilder("scripts/dev/pgbouncer", "start").inheritIO().start();
        assertTrue(start.waitFor(30, TimeUnit.SECONDS) && start.exitValue() == 0, "scripts/dev/pgbouncer start failed");
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
        Faults.assertEveryRowDoneOnce(ex, driver, dir.resolve("driver.out"), log, 256);
        ex.drop();
    }
}
