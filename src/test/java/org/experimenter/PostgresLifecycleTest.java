package org.experimenter;

import org.experimenter.testing.TestDb;

class PostgresLifecycleTest extends LifecycleContractTest {
    @Override
    TestDb db() {
        return TestDb.POSTGRES;
    }
}
