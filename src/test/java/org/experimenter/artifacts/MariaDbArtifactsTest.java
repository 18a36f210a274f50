package org.experimenter.artifacts;

import org.experimenter.testing.TestDb;

class MariaDbArtifactsTest extends ArtifactsContractTest {
    @Override
    TestDb db() {
        return TestDb.MARIADB;
    }
}
