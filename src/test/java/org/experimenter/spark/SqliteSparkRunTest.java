package org.experimenter.spark;

import org.experimenter.testing.TestDb;

class SqliteSparkRunTest extends SparkRunContractTest {
    @Override
    TestDb db() {
        return TestDb.SQLITE;
    }

    @Override
    void refuse(java.sql.Statement st, String table, String column, String value) throws Exception {
        st.execute("CREATE TRIGGER " + table + "_refuse BEFORE UPDATE OF " + column + " ON " + table + " WHEN NEW."
                + column + " = '" + value + "' BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END");
    }

    @Override
    void refuseClaimOf(java.sql.Statement st, String table, long id) throws Exception {
        st.execute("CREATE TRIGGER " + table + "_refuse_claim BEFORE UPDATE OF status ON " + table + " WHEN NEW.id = "
                + id + " AND NEW.status = 'running' BEGIN SELECT RAISE(ABORT, 'claim refused by a trigger'); END");
    }
}
