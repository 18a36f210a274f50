package org.experimenter.energy;

import org.experimenter.testing.TestDb;

class SqliteEnergyTest extends EnergyContractTest {
    @Override
    protected TestDb db() {
        return TestDb.SQLITE;
    }
}
