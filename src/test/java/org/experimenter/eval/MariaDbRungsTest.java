package org.experimenter.eval;

import org.experimenter.testing.TestDb;

class MariaDbRungsTest extends RungsContractTest {
    @Override
    TestDb db() {
        return TestDb.MARIADB;
    }
}
