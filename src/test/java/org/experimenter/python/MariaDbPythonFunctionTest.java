package org.experimenter.python;

import org.experimenter.testing.TestDb;

class MariaDbPythonFunctionTest extends PythonFunctionContractTest {
    @Override
    TestDb db() {
        return TestDb.MARIADB;
    }
}
