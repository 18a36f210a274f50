package org.experimenter.cli;

import org.experimenter.testing.TestDb;

class PostgresReportTest extends ReportContractTest {
    @Override
    TestDb db() {
        return TestDb.POSTGRES;
    }
}
