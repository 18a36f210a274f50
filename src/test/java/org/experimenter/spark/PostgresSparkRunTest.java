package org.experimenter.spark;

import org.experimenter.testing.TestDb;

class PostgresSparkRunTest extends SparkRunContractTest {
  @Override
  TestDb db() {
    return TestDb.POSTGRES;
  }
}
