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
}
