package org.experimenter.store;

import org.experimenter.testing.TestDb;

class PostgresStageTest extends StageContractTest {
    @Override
    TestDb db() {
        return TestDb.POSTGRES;
    }
}
