package org.experimenter.process;

import org.experimenter.testing.TestDb;

class PostgresCommandExperimentTest extends CommandExperimentContractTest {
    @Override
    TestDb db() {
        return TestDb.POSTGRES;
    }
}
