package org.experimenter.eval;

import org.experimenter.testing.TestDb;

class SqliteCellTestTest extends CellTestContractTest {
    @Override
    TestDb db() {
        return TestDb.SQLITE;
    }
}
