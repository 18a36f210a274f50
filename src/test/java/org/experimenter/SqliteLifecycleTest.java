package org.experimenter;

import org.experimenter.testing.TestDb;

class SqliteLifecycleTest extends LifecycleContractTest {
    @Override
    TestDb db() {
        return TestDb.SQLITE;
    }
}
