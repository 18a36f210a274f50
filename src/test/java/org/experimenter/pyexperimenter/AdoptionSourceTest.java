package org.experimenter.pyexperimenter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Map;
import org.experimenter.ExperimenterException;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The source database of an adoption: the refusals that come before any row is read. */
class AdoptionSourceTest {
    @TempDir
    Path dir;

    private ExperimentConfig config(String url) {
        String table = TestDb.uniqueTable("adopted_src");
        return TestDb.SQLITE
                .config(
                        dir,
                        table,
                        "keyfields { seed { type = int, values = [1, 2] } }\nresultfields { score = double }\n")
                .withOverrides(Map.of("database.url", url));
    }

    private static TableAdoption.Options options(String from, String table) {
        return new TableAdoption.Options(from, table, ZoneId.of("UTC"), true, null, null, null);
    }

    @Test
    void theConfigsOwnTableIsRefusedWhenItsSqliteFileIsNamedAnotherWay() {
        ExperimentConfig c = config("jdbc:sqlite:" + dir.resolve("mine.db"));
        String other = dir.resolve(".").resolve("mine.db").toString();
        ExperimenterException e =
                assertThrows(ExperimenterException.class, () -> TableAdoption.adopt(c, options(other, c.table())));
        assertEquals(
                "the PyExperimenter table " + c.table() + " in the SQLite file " + other + " is the config's own"
                        + " table; give the config another database.table (import-pyexperimenter --table NAME)",
                e.getMessage());
    }

    @Test
    void aMissingSqliteFileIsNamedInOneLine() {
        ExperimentConfig c = config("jdbc:sqlite:" + dir.resolve("mine.db"));
        String missing = dir.resolve("none.db").toString();
        ExperimenterException e =
                assertThrows(ExperimenterException.class, () -> TableAdoption.adopt(c, options(missing, "runs")));
        assertEquals("--from " + missing + ": no such SQLite file", e.getMessage());
    }
}
