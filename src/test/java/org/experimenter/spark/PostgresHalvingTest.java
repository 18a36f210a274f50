package org.experimenter.spark;

import org.experimenter.testing.TestDb;

class PostgresHalvingTest extends HalvingContractTest {
    @Override
    TestDb db() {
        return TestDb.POSTGRES;
    }
}
