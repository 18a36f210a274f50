package org.experimenter.command;

import org.experimenter.testing.TestDb;

class SqliteCommandExperimentTest extends CommandExperimentContractTest {
    @Override
    TestDb db() {
        return TestDb.SQLITE;
    }
}
