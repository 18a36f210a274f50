package org.experimenter.python;

import org.experimenter.testing.TestDb;

class PostgresPythonFunctionTest extends PythonFunctionContractTest {
    @Override
    TestDb db() {
        return TestDb.POSTGRES;
    }
}
