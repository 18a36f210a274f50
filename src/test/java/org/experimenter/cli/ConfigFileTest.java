package org.experimenter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.experimenter.InvalidConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {
    @TempDir
    Path dir;

    private static UnaryOperator<String> settings(String... keyValues) {
        Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m::get;
    }

    private Path local() throws Exception {
        Path f = Files.createDirectories(dir.resolve("local")).resolve("example.conf");
        Files.writeString(f, "database.table = t\n");
        return f;
    }

    @Test
    void aFileThatExistsIsTakenAsGiven() throws Exception {
        Path f = local();
        assertEquals(f, ConfigFile.resolve(f, settings(), dir));
    }

    @Test
    void aBareNameIsFoundAmongTheLocalFilesShippedWithFiles() throws Exception {
        Path f = local();
        UnaryOperator<String> yarn = settings("spark.yarn.dist.files", "file:/elsewhere/other.csv,file:" + f);
        assertEquals(f, ConfigFile.resolve(Path.of("example.conf"), yarn, dir));

        UnaryOperator<String> standalone = settings("spark.files", f.toString());
        assertEquals(f, ConfigFile.resolve(Path.of("example.conf"), standalone, dir));

        UnaryOperator<String> renamed = settings("spark.yarn.dist.files", "file:" + f + "#experiment.conf");
        assertEquals(f, ConfigFile.resolve(Path.of("experiment.conf"), renamed, dir));
    }

    @Test
    void aMissingFileIsNamedWithWhereItWasLookedFor() throws Exception {
        Path f = local();
        UnaryOperator<String> conf = settings(
                "spark.yarn.dist.files", "hdfs://nn:8020/user/me/example.conf,https://user:secret@host/data.csv," + f);

        // a remote copy is no use to a driver outside the cluster; its address is never printed
        InvalidConfigException e =
                assertThrows(InvalidConfigException.class, () -> ConfigFile.resolve(Path.of("other.conf"), conf, dir));
        assertEquals(
                "other.conf: no such config file (working directory " + dir
                        + "; shipped with --files: [example.conf, data.csv, example.conf])",
                e.getMessage());
        assertFalse(e.getMessage().contains("secret"), e.getMessage());

        InvalidConfigException none = assertThrows(
                InvalidConfigException.class,
                () -> ConfigFile.resolve(Path.of("example.conf"), settings("spark.submit.deployMode", "client"), dir));
        assertTrue(none.getMessage().endsWith("; no file was shipped with --files)"), none.getMessage());

        // outside spark-submit: only the working directory
        InvalidConfigException plain = assertThrows(
                InvalidConfigException.class, () -> ConfigFile.resolve(Path.of("example.conf"), settings(), dir));
        assertEquals("example.conf: no such config file (working directory " + dir + ")", plain.getMessage());

        UnaryOperator<String> remoteOnly = settings("spark.yarn.dist.files", "hdfs://nn:8020/user/me/example.conf");
        InvalidConfigException remote = assertThrows(
                InvalidConfigException.class, () -> ConfigFile.resolve(Path.of("example.conf"), remoteOnly, dir));
        assertTrue(
                remote.getMessage()
                        .endsWith(
                                "; a driver outside the cluster reads the config only from a local path given to --files)"),
                remote.getMessage());

        // only bare names are looked up: a path names one place
        InvalidConfigException path = assertThrows(
                InvalidConfigException.class, () -> ConfigFile.resolve(Path.of("nope/example.conf"), conf, dir));
        assertTrue(path.getMessage().startsWith("nope/example.conf: no such config file"), path.getMessage());
    }
}
