package org.experimenter.energy;

import org.experimenter.testing.TestDb;

class MariaDbEnergyTest extends EnergyContractTest {
    @Override
    protected TestDb db() {
        return TestDb.MARIADB;
    }
}
