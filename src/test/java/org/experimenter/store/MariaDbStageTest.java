package org.experimenter.store;

import org.experimenter.testing.TestDb;

class MariaDbStageTest extends StageContractTest {
    @Override
    TestDb db() {
        return TestDb.MARIADB;
    }
}
