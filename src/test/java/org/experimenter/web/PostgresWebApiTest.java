package org.experimenter.web;

import org.experimenter.testing.TestDb;

class PostgresWebApiTest extends WebApiContractTest {
    @Override
    TestDb db() {
        return TestDb.POSTGRES;
    }

    /** In the config and in the URL; the database on this machine trusts local connections and ignores it. */
    @Override
    String secret() {
        return "pw-" + Long.toHexString(Double.doubleToLongBits(Math.PI)) + "-not-for-pages";
    }
}
