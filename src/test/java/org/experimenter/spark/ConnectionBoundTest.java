package org.experimenter.spark;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.experimenter.Experimenter;
import org.experimenter.testing.Faults;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.Test;

/**
 * A run of 128 tasks at once (local[128], I/O-bound experiments) on PostgreSQL, in a JVM of its
 * own: its connections, watched in pg_stat_activity, stay within the pool and Spark's two reads.
 * The run logs in as a role of its own, made for it and dropped after it, so that the watch counts
 * its connections alone while other tests use the database beside it.
 */
class ConnectionBoundTest {
    @Test
    void aRunOf128TasksAtOnceOpensAtMostPoolSizePlusTwoConnections() throws Exception {
        int peak = peakConnections("local[128]", 512);
        System.out.println(
                "local[128], 512 rows of 300 ms on PostgreSQL, pool-size 4: peak " + peak + " connections of the run");
        assertTrue(peak <= 4 + 2, "peak connections " + peak);
    }

    @Test
    void aRunOnFourExecutorJvmsOpensAtMostFourPoolsPlusTwoConnections() throws Exception {
        int peak = peakConnections("local-cluster[4,2,1024]", 128);
        System.out.println("local-cluster[4,2,1024], 128 rows of 300 ms on PostgreSQL, pool-size 4: peak " + peak
                + " connections of the run");
        assertTrue(peak <= 4 * 4 + 2, "peak connections " + peak);
    }

    /** Runs rows experiments of 300 ms on master in a driver JVM of its own; returns the peak of its connections. */
    private static int peakConnections(String master, int rows) throws Exception {
        String table = TestDb.uniqueTable("bound");
        String role = table;
        admin("CREATE ROLE " + role + " LOGIN", "GRANT USAGE, CREATE ON SCHEMA public TO " + role);
        try {
            return peakConnections(master, rows, table, role);
        } finally {
            admin("DROP OWNED BY " + role, "DROP ROLE " + role);
        }
    }

    private static void admin(String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection(TestDb.pgUrl(), TestDb.pgUser(), "");
                Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }

    private static int peakConnections(String master, int rows, String table, String role) throws Exception {
        Path dir = Faults.runDir(table);
        Path log = dir.resolve("executions.log");
        Path conf = Faults.writeConfig(
                dir,
                TestDb.POSTGRES,
                table,
                log,
                rows,
                master,
                "sleep-ms = 300",
                "database.pool-size = 4\ndatabase.user = " + role);
        Experimenter ex = Experimenter.load(conf);
        ex.fill();
        AtomicInteger peak = new AtomicInteger();
        Process driver = Faults.startDriver(dir.resolve("driver.out"), conf);
        try (Connection watch = DriverManager.getConnection(TestDb.pgUrl(), TestDb.pgUser(), "");
                Statement st = watch.createStatement()) {
            // connections of this run only: of its role, opened after this point by the driver and its executors
            String since;
            try (ResultSet rs = st.executeQuery("SELECT now()::text")) {
                rs.next();
                since = "'" + rs.getString(1) + "'::timestamptz";
            }
            while (driver.isAlive()) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname ="
                        + " current_database() AND application_name = 'experimenter' AND usename = '" + role
                        + "' AND backend_start >= " + since)) {
                    rs.next();
                    peak.accumulateAndGet(rs.getInt(1), Math::max);
                }
                driver.waitFor(20, TimeUnit.MILLISECONDS);
            }
        }
        String out = Faults.assertEveryRowDoneOnce(ex, driver, dir.resolve("driver.out"), log, rows);
        assertFalse(out.contains("too many clients"), out);
        assertTrue(peak.get() >= 1, "the watch saw the run's connections");
        ex.drop();
        return peak.get();
    }
}
