package org.experimenter.eval;

import org.experimenter.testing.TestDb;

class MariaDbEvaluationTest extends EvaluationContractTest {
    @Override
    TestDb db() {
        return TestDb.MARIADB;
    }
}
