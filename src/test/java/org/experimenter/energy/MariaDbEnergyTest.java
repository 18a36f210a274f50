package org.experimenter.energy;

import org.experimenter.testing.TestDb;

class MariaDbEnergyTest extends EnergyContractTest {
    @Override
    TestDb db() {
        return TestDb.MARIADB;
    }
}
