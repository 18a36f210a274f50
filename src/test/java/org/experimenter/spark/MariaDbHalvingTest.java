package org.experimenter.spark;

import org.experimenter.testing.TestDb;

class MariaDbHalvingTest extends HalvingContractTest {
    @Override
    TestDb db() {
        return TestDb.MARIADB;
    }
}
