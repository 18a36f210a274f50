package org.experimenter.spark;

import org.experimenter.testing.TestDb;

class SqliteHalvingTest extends HalvingContractTest {
    @Override
    TestDb db() {
        return TestDb.SQLITE;
    }
}
