package org.experimenter.energy;

import org.experimenter.testing.TestDb;

class PostgresEnergyTest extends EnergyContractTest {
    @Override
    protected TestDb db() {
        return TestDb.POSTGRES;
    }
}
