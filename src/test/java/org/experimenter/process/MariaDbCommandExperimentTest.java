package org.experimenter.process;

import org.experimenter.testing.TestDb;

class MariaDbCommandExperimentTest extends CommandExperimentContractTest {
    @Override
    TestDb db() {
        return TestDb.MARIADB;
    }
}
