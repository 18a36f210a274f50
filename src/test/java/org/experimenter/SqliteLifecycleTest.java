package org.experimenter;

import org.experimenter.testing.TestDb;

class SqliteLifecycleTest extends LifecycleContractTest {
    @Override
    protected TestDb db() {
        return TestDb.SQLITE;
    }
}
