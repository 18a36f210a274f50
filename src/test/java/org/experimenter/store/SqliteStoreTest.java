package org.experimenter.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.experimenter.testing.TestDb;

class SqliteStoreTest extends StoreContractTest {
    @Override
    TestDb db() {
        return TestDb.SQLITE;
    }

    @Override
    String plan(Connection c, String sql) throws Exception {
        StringBuilder b = new StringBuilder();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("EXPLAIN QUERY PLAN " + sql)) {
            while (rs.next()) {
                b.append(rs.getString("detail")).append('\n');
            }
        }
        return b.toString();
    }

    @Override
    void gatherStatistics(Connection c, String table) {
        // SQLite keeps no statistics unless ANALYZE is run, which nothing here does
    }
}
