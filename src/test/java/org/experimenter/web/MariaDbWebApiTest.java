package org.experimenter.web;

import org.experimenter.testing.TestDb;

class MariaDbWebApiTest extends WebApiContractTest {
    @Override
    TestDb db() {
        return TestDb.MARIADB;
    }

    /** MariaDB refuses a password root does not have, so none is carried here (PostgreSQL's test carries one). */
    @Override
    String secret() {
        return null;
    }
}
