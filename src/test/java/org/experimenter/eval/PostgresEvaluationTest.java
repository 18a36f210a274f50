package org.experimenter.eval;

import org.experimenter.testing.TestDb;

class PostgresEvaluationTest extends EvaluationContractTest {
    @Override
    TestDb db() {
        return TestDb.POSTGRES;
    }
}
