package org.experimenter.eval;

import org.experimenter.testing.TestDb;

class SqliteRungsTest extends RungsContractTest {
    @Override
    TestDb db() {
        return TestDb.SQLITE;
    }
}
