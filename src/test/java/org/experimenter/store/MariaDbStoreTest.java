package org.experimenter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TimeZone;
import org.experimenter.InvalidConfigException;
import org.experimenter.StoreException;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.Test;

class MariaDbStoreTest extends StoreContractTest {
    @Override
    TestDb db() {
        return TestDb.MARIADB;
    }

    /** Every column of EXPLAIN's rows (table, type, possible_keys, key, rows, Extra). */
    @Override
    String plan(Connection c, String sql) throws Exception {
        StringBuilder b = new StringBuilder();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("EXPLAIN " + sql)) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    b.append(md.getColumnLabel(i))
                            .append('=')
                            .append(rs.getString(i))
                            .append(' ');
                }
                b.append('\n');
            }
        }
        return b.toString();
    }

    @Override
    void gatherStatistics(Connection c, String table) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("ANALYZE TABLE " + table); // what InnoDB does on its own after enough changes
        }
    }

    @Test
    void aHalvingTableMadeBeforeTheRungIndexGetsItWhenOpenedAndItsRungReadsUseIt() throws Exception {
        // given: a halving table as versions before the rung index made it (its index made inside
        // CREATE TABLE, so a newer version's CREATE TABLE IF NOT EXISTS would not add it)
        ExperimentConfig halving = db().config(dir, table + "_old", HALVING_CONF);
        ExperimentStore s = new ExperimentStore(halving);
        s.createTableIfMissing();
        try (Connection c = s.connect()) {
            fillRungs(halving, c); // fill opens the table too, so the index goes after it
            try (Statement st = c.createStatement()) {
                st.execute("DROP INDEX " + halving.table() + "_rung_idx ON " + halving.table());
            }
            gatherStatistics(c, halving.table());
            assertFalse(plan(c, rungOneOfA(s)).contains("_rung_idx"));
            // when: the table is opened (a run, a fill or halve does this first)
            new ExperimentStore(halving).createTableIfMissing();
            // then: it has the index, and one rung of one group is read through it
            String plan = plan(c, rungOneOfA(s));
            assertTrue(plan.contains(halving.table() + "_rung_idx"), plan);
            // opening it again adds nothing and fails on nothing
            new ExperimentStore(halving).createTableIfMissing();
        } finally {
            s.drop();
        }
    }

    @Test
    void aClaimSkipsRowsAnotherTransactionHoldsInsteadOfWaitingForThem() throws Exception {
        store.fill(config.grid().iterator());
        try (Connection holder = store.connect();
                Connection c = store.connect()) {
            holder.setAutoCommit(false);
            try (Statement st = holder.createStatement()) {
                st.executeQuery("SELECT id FROM " + table + " WHERE id IN (1, 2) FOR UPDATE")
                        .close();
            }
            List<ClaimedRow> rows = assertTimeoutPreemptively(
                    Duration.ofSeconds(10),
                    () -> store.claimNext(c, 3, null, new Claim("run1", "e", "h", "t1", "app")));
            assertEquals(List.of(3L, 4L, 5L), rows.stream().map(ClaimedRow::id).toList(), "rows 1 and 2 are skipped");
            holder.rollback();
            assertEquals(
                    List.of(1L, 2L),
                    store.claimNext(c, 2, null, new Claim("run1", "e", "h", "t2", "app")).stream()
                            .map(ClaimedRow::id)
                            .toList());
        }
    }

    @Test
    void timestampsAreUtcInTheTableWhateverTheJvmsTimeZone() throws Exception {
        TimeZone before = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone("Asia/Kolkata"));
        try {
            clock.advance(Duration.between(clock.instant(), Instant.parse("2026-03-01T10:15:30.123Z")));
            ExperimentStore s = new ExperimentStore(config).withClock(clock);
            s.fill(config.grid().iterator());
            try (Connection c = s.connect();
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT DATE_FORMAT(creation_date, '%Y-%m-%d %H:%i:%s.%f'),"
                            + " @@session.time_zone FROM " + table + " WHERE id = 1")) {
                assertTrue(rs.next());
                assertEquals("2026-03-01 10:15:30.123000", rs.getString(1), "stored as UTC wall time");
                assertEquals("+00:00", rs.getString(2));
            }
            assertEquals(Instant.parse("2026-03-01T10:15:30.123Z"), s.row(1L).get("creation_date"));
        } finally {
            TimeZone.setDefault(before);
        }
    }

    @Test
    void stringKeysDifferingInCaseOrTrailingSpaceAreDifferentRowsAndTooLongOnesAreRefused() {
        ExperimentConfig strings = db().config(
                        dir, table + "_s", "keyfields { name { type = string, values = [a, A, \"a \", \u00e4] } }\n");
        ExperimentStore s = new ExperimentStore(strings);
        s.createTableIfMissing();
        try {
            assertEquals(4, s.fill(strings.grid().iterator()));
            assertEquals(0, s.fill(strings.grid().iterator()));
            String longName = "x".repeat(256);
            StoreException e = assertThrows(
                    StoreException.class,
                    () -> s.fill(List.<Object[]>of(new Object[] {longName}).iterator()));
            assertEquals(
                    "row 1: keyfield name has 256 characters; mariadb keeps string keyfields of at most 255 here ("
                            + strings.table() + ")",
                    e.getMessage());
            assertEquals(4, s.rows().size());
        } finally {
            s.drop();
        }
    }

    @Test
    void aFieldNamedByAWordMariaDbReservesIsRefusedWhenTheConfigIsRead() {
        InvalidConfigException e = assertThrows(
                InvalidConfigException.class,
                () -> db().config(dir, table, "keyfields { rank { type = int, values = [1] } }\n"));
        assertTrue(
                e.getMessage().endsWith("keyfields.rank: 'rank' is a reserved word in mariadb; choose another name"),
                e.getMessage());
    }

    @Test
    void aBackslashInAWhereStringIsABackslash() {
        ExperimentConfig paths = db().config(
                        dir,
                        table + "_p",
                        "keyfields { path { type = string, values = [\"C:\\\\temp\", \"C:temp\"] } }\n");
        ExperimentStore s = new ExperimentStore(paths);
        s.createTableIfMissing();
        try {
            assertEquals(2, s.fill(paths.grid().iterator()));
            // Spark's grammar escapes backslashes; the SQL written for the database has one, kept as it is
            Where where = s.where("path = 'C:\\\\temp'");
            assertEquals(new WhereExpr.Value("C:\\temp"), ((WhereExpr.Compare) where.expr()).right());
            OpenRows open = s.runs().openRows(RunScope.all().where(where));
            assertEquals(1, open == null ? 0 : open.count(), where.text());
            assertEquals("C:\\temp", s.row(open.minId()).get("path"));
        } finally {
            s.drop();
        }
    }
}
