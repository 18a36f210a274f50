package org.experimenter.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.experimenter.StoreException;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.testing.FreezingProxy;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.Test;

class PostgresStoreTest extends StoreContractTest {
    @Override
    TestDb db() {
        return TestDb.POSTGRES;
    }

    @Override
    String plan(Connection c, String sql) throws Exception {
        StringBuilder b = new StringBuilder();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("EXPLAIN " + sql)) {
            while (rs.next()) {
                b.append(rs.getString(1)).append('\n');
            }
        }
        return b.toString();
    }

    @Override
    void gatherStatistics(Connection c, String table) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("ANALYZE " + table); // what autovacuum does some time after a fill
        }
    }

    @Test
    void aHalfOpenConnectionFailsWithinItsTimeoutInsteadOfBlocking() throws Exception {
        try (FreezingProxy proxy = new FreezingProxy(5432)) {
            ExperimentConfig viaProxy = config.withOverrides(Map.of(
                    "database.url",
                    TestDb.pgUrl().replace("127.0.0.1:5432", "127.0.0.1:" + proxy.port()),
                    "database.socket-timeout",
                    "2s"));
            ExperimentStore s = new ExperimentStore(viaProxy);
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                try (Connection admin = s.connect();
                        Connection holder = s.connectHoldingRows()) {
                    assertTrue(s.heartbeat(holder, List.of("none")) == 0);
                    proxy.freeze();
                    long t0 = System.nanoTime();
                    assertThrows(SQLException.class, () -> s.heartbeat(holder, List.of("none")));
                    assertThrows(
                            SQLException.class, () -> admin.createStatement().executeQuery("SELECT 1"));
                    assertTrue(System.nanoTime() - t0 < 10_000_000_000L);
                }
            });
        }
    }

    @Test
    void anUnreachableDatabaseIsNamedWithoutItsPassword() {
        ExperimentConfig bad = config.withOverrides(Map.of(
                "database.url", "jdbc:postgresql://127.0.0.1:1/test?password=hunter2secret",
                "database.password", "hunter2secret"));
        StoreException e = assertThrows(StoreException.class, () -> new ExperimentStore(bad).connect());
        assertTrue(
                e.getMessage().startsWith("cannot connect to jdbc:postgresql://127.0.0.1:1/test?password=***"),
                e.getMessage());
        assertFalse(e.getMessage().contains("hunter2secret"), e.getMessage());
        assertFalse(String.valueOf(e.getCause()).contains("hunter2secret"));
    }
}
