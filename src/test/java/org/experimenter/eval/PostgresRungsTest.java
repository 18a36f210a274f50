package org.experimenter.eval;

import org.experimenter.testing.TestDb;

class PostgresRungsTest extends RungsContractTest {
    @Override
    TestDb db() {
        return TestDb.POSTGRES;
    }
}
