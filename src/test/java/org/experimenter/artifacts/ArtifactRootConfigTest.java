package org.experimenter.artifacts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.experimenter.InvalidConfigException;
import org.experimenter.config.ExperimentConfig;
import org.junit.jupiter.api.Test;

/** {@code artifacts.root}: off by default, local or not, and a bad one named with its line. */
class ArtifactRootConfigTest {
    private static ExperimentConfig parse(String extra) {
        return ExperimentConfig.parse(
                "database.table = t\nkeyfields { a { type = int, values = [1] } }\n" + extra, "exp.conf");
    }

    @Test
    void offByDefault() {
        assertNull(parse("").artifactRoot());
    }

    @Test
    void pathsAndFileUrisAreLocalOtherSchemesAreNot() {
        assertTrue(parse("artifacts.root = results/artifacts\n").artifactRoot().isLocal());
        assertTrue(parse("artifacts.root = \"file:///tmp/a\"\n").artifactRoot().isLocal());
        ArtifactRoot hdfs = parse("artifacts.root = \"hdfs://namenode:8020/user/me/artifacts\"\n")
                .artifactRoot();
        assertFalse(hdfs.isLocal());
        assertEquals("hdfs://namenode:8020/user/me/artifacts", hdfs.toString());
    }

    @Test
    void aUriWithoutAPathIsRefusedNamingTheFileLineAndKey() {
        InvalidConfigException e =
                assertThrows(InvalidConfigException.class, () -> parse("\nartifacts.root = \"s3a://bucket\"\n"));
        assertTrue(e.getMessage().startsWith("exp.conf: 4: artifacts.root: "), e.getMessage());
        assertTrue(e.getMessage().contains("no path"), e.getMessage());
    }
}
