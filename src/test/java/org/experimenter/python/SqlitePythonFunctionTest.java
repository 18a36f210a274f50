package org.experimenter.python;

import org.experimenter.testing.TestDb;

class SqlitePythonFunctionTest extends PythonFunctionContractTest {
    @Override
    TestDb db() {
        return TestDb.SQLITE;
    }
}
