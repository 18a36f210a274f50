package org.experimenter.eval;

import org.experimenter.testing.TestDb;

class SqliteEvaluationTest extends EvaluationContractTest {
    @Override
    TestDb db() {
        return TestDb.SQLITE;
    }
}
