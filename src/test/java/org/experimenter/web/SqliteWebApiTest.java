package org.experimenter.web;

import org.experimenter.testing.TestDb;

class SqliteWebApiTest extends WebApiContractTest {
    @Override
    TestDb db() {
        return TestDb.SQLITE;
    }

    @Override
    String secret() {
        return null;
    }
}
