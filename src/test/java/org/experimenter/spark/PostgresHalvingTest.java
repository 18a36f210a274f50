package org.experimenter.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.Test;

class PostgresHalvingTest extends HalvingContractTest {
    @Override
    TestDb db() {
        return TestDb.POSTGRES;
    }

    /**
     * A halving table leaves room on its pages (a cut marks every row of its rung; with room,
     * PostgreSQL updates a row where it is, without new index entries).
     */
    @Test
    void aHalvingTableLeavesRoomOnItsPagesForTheCutsMarks() throws Exception {
        try (Connection c = DriverManager.getConnection(TestDb.pgUrl(), TestDb.pgUser(), "");
                PreparedStatement ps = c.prepareStatement("SELECT array_to_string(reloptions, ',') FROM pg_class"
                        + " WHERE relname = ? AND relkind = 'r'")) {
            ps.setString(1, table.toLowerCase(java.util.Locale.ROOT));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals("fillfactor=70", rs.getString(1));
            }
        }
    }
}
