package org.experimenter.store;

import org.experimenter.testing.TestDb;

class SqliteStoreTest extends StoreContractTest {
  @Override
  TestDb db() {
    return TestDb.SQLITE;
  }
}
