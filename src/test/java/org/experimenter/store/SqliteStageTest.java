package org.experimenter.store;

import org.experimenter.testing.TestDb;

class SqliteStageTest extends StageContractTest {
    @Override
    TestDb db() {
        return TestDb.SQLITE;
    }
}
