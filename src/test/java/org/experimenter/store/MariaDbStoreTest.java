package org.experimenter.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import org.experimenter.testing.TestDb;

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
}
