package org.experimenter;

import org.experimenter.testing.TestDb;

class MariaDbLifecycleTest extends LifecycleContractTest {
    @Override
    protected TestDb db() {
        return TestDb.MARIADB;
    }
}
