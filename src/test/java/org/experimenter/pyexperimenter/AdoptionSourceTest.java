package org.experimenter.pyexperimenter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
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

    @Test
    void theServerOfAMariaDbOrMySqlUrlIsItsFirstHostAndPortAsTheDriverReadsThem() {
        assertEquals(
                new SourceDatabase.Server("localhost", 3306), SourceDatabase.server("jdbc:mariadb://LocalHost/db"));
        assertEquals(
                new SourceDatabase.Server("db.example", 3307),
                SourceDatabase.server("jdbc:mariadb://db.example:3307/test?user=x&password=y"));
        assertEquals(new SourceDatabase.Server("h", 3306), SourceDatabase.server("jdbc:mariadb://h?user=x"));
        assertEquals(new SourceDatabase.Server("h", 3308), SourceDatabase.server("jdbc:mysql://h:3308/db"));
        assertEquals(
                null,
                SourceDatabase.server("jdbc:mariadb://h1:3310,h2/db"),
                "several hosts: a driver that fails over would take the config's credentials to the second");
        assertEquals(null, SourceDatabase.server("jdbc:mysql://127.0.0.1:3306,elsewhere/db"));
        assertEquals(new SourceDatabase.Server("::1", 3311), SourceDatabase.server("jdbc:mariadb://[::1]:3311/db"));
        assertEquals(
                new SourceDatabase.Server("a", 3312),
                SourceDatabase.server("jdbc:mariadb://address=(host=a)(port=3312)/db"));
        assertEquals(null, SourceDatabase.server("jdbc:mariadb://h:port/db"), "a URL the driver cannot read");
        assertEquals(null, SourceDatabase.server("jdbc:mariadb:///db"), "a URL that names no host");
        assertEquals(null, SourceDatabase.server("jdbc:postgresql://h:5432/db"));
        assertEquals(null, SourceDatabase.server("jdbc:sqlite:/tmp/x.db"));
    }

    @Test
    void aUrlThatNamesNoHostIsOneLineOfTheDriver() {
        ExperimentConfig c = config("jdbc:mariadb://127.0.0.1:3306/test");
        ExperimenterException e = assertThrows(
                ExperimenterException.class, () -> TableAdoption.adopt(c, options("jdbc:mariadb:///test", "runs")));
        assertTrue(e.getMessage().startsWith("cannot connect to jdbc:mariadb:///test: "), e.getMessage());
    }

    @Test
    void aUserAndPasswordInTheUrlAreRefusedWithoutShowingThePassword() {
        ExperimentConfig c = config("jdbc:mariadb://127.0.0.1:3306/test");
        for (String from : List.of(
                "mysql://reader:Hunter22@127.0.0.1/test",
                "jdbc:mariadb://reader:Hunter22@127.0.0.1:3306/test",
                "jdbc:mariadb:sequential://reader:Hunter22@127.0.0.1/test",
                "jdbc:mysql://reader:Hunter22@127.0.0.1/test")) {
            ExperimenterException e =
                    assertThrows(ExperimenterException.class, () -> TableAdoption.adopt(c, options(from, "runs")));
            assertEquals(
                    "--from " + from.replace("Hunter22", "***") + ": give the user with --from-user and the password"
                            + " in PYEXPERIMENTER_DB_PASSWORD, not in the URL (user@host)",
                    e.getMessage());
        }
        // the host a check of the config's credentials reads is the one MariaDB's driver connects to
        assertEquals(
                new SourceDatabase.Server("elsewhere@127.0.0.1", 3306),
                SourceDatabase.server("jdbc:mariadb://elsewhere@127.0.0.1:3306/test"));
    }
}
