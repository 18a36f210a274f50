package org.experimenter.energy;

import org.experimenter.testing.TestDb;

class SqliteEnergyTest extends EnergyContractTest {
    @Override
    TestDb db() {
        return TestDb.SQLITE;
    }
}
