package org.experimenter;

import org.experimenter.testing.TestDb;

class PostgresLifecycleTest extends LifecycleContractTest {
    @Override
    protected TestDb db() {
        return TestDb.POSTGRES;
    }
}
