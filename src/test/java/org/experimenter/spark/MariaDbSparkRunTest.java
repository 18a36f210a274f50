package org.experimenter.spark;

import org.experimenter.testing.TestDb;

class MariaDbSparkRunTest extends SparkRunContractTest {
    @Override
    TestDb db() {
        return TestDb.MARIADB;
    }

    @Override
    void refuse(java.sql.Statement st, String table, String column, String value) throws Exception {
        st.execute("ALTER TABLE " + table + " ADD CONSTRAINT " + table + "_refuse CHECK (NOT (" + column + " <=> '"
                + value + "'))");
    }

    @Override
    void refuseClaimOf(java.sql.Statement st, String table, long id) throws Exception {
        // a CHECK may not name the AUTO_INCREMENT column in MariaDB; a trigger signals a constraint error
        st.execute("CREATE TRIGGER " + table + "_refuse_claim BEFORE UPDATE ON " + table
                + " FOR EACH ROW BEGIN IF NEW.id = "
                + id + " AND NEW.status = 'running' THEN SIGNAL SQLSTATE '23000' SET MESSAGE_TEXT = 'claim refused by a"
                + " trigger'; END IF; END");
    }
}
