package org.experimenter.spark;

import org.experimenter.testing.TestDb;

class PostgresSparkRunTest extends SparkRunContractTest {
    @Override
    TestDb db() {
        return TestDb.POSTGRES;
    }

    @Override
    void refuse(java.sql.Statement st, String table, String column, String value) throws Exception {
        st.execute("ALTER TABLE " + table + " ADD CONSTRAINT " + table + "_refuse CHECK (" + column
                + " IS DISTINCT FROM '" + value + "')");
    }

    @Override
    void refuseClaimOf(java.sql.Statement st, String table, long id) throws Exception {
        st.execute("ALTER TABLE " + table + " ADD CONSTRAINT " + table + "_refuse_claim CHECK (id <> " + id
                + " OR status <> 'running')");
    }
}
