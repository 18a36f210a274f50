package org.experimenter.eval;

import org.experimenter.testing.TestDb;

class PostgresCellTestTest extends CellTestContractTest {
    @Override
    TestDb db() {
        return TestDb.POSTGRES;
    }
}
