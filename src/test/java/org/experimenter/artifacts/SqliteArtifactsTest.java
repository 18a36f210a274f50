package org.experimenter.artifacts;

import org.experimenter.testing.TestDb;

class SqliteArtifactsTest extends ArtifactsContractTest {
    @Override
    TestDb db() {
        return TestDb.SQLITE;
    }
}
