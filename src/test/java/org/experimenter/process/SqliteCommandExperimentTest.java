package org.experimenter.process;

import org.experimenter.testing.TestDb;

class SqliteCommandExperimentTest extends CommandExperimentContractTest {
    @Override
    TestDb db() {
        return TestDb.SQLITE;
    }
}
