package org.experimenter.spark;

import org.experimenter.testing.TestDb;

class SqliteSparkRunTest extends SparkRunContractTest {
  @Override
  TestDb db() {
    return TestDb.SQLITE;
  }
}
