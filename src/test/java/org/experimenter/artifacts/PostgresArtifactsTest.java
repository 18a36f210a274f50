package org.experimenter.artifacts;

import org.experimenter.testing.TestDb;

class PostgresArtifactsTest extends ArtifactsContractTest {
    @Override
    TestDb db() {
        return TestDb.POSTGRES;
    }
}
