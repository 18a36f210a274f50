package org.experimenter.cli;

import org.experimenter.testing.TestDb;

class SqliteReportTest extends ReportContractTest {
    @Override
    TestDb db() {
        return TestDb.SQLITE;
    }
}
