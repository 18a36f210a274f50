package org.experimenter.eval;

import org.experimenter.testing.TestDb;

class MariaDbCellTestTest extends CellTestContractTest {
    @Override
    TestDb db() {
        return TestDb.MARIADB;
    }
}
