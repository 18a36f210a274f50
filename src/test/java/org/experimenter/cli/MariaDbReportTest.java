package org.experimenter.cli;

import org.experimenter.testing.TestDb;

class MariaDbReportTest extends ReportContractTest {
    @Override
    TestDb db() {
        return TestDb.MARIADB;
    }
}
