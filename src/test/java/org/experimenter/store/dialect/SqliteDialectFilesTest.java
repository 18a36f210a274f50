package org.experimenter.store.dialect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** What the SQLite dialect knows of its URLs' files, which adopting PyExperimenter's table uses. */
class SqliteDialectFilesTest {
    private final Dialect sqlite = Dialect.forUrl("jdbc:sqlite:x.db");

    @Test
    void aSqliteUrlNamesTheFileAfterItsPrefixAndAServerUrlNamesNone() {
        assertEquals(Path.of("runs/py.db"), sqlite.databaseFile("jdbc:sqlite:runs/py.db"));
        assertNull(Dialect.forUrl("jdbc:mariadb://h/db").databaseFile("jdbc:mariadb://h/db"));
        assertNull(Dialect.forUrl("jdbc:postgresql://h/db").databaseFile("jdbc:postgresql://h/db"));
    }

    @Test
    void twoSqliteUrlsOfOneFileAreTheSameDatabaseWhateverTheirPathLooksLike() {
        String absolute = "jdbc:sqlite:" + Path.of("runs/py.db").toAbsolutePath();
        assertTrue(sqlite.sameDatabase("jdbc:sqlite:runs/./py.db", absolute));
        assertFalse(sqlite.sameDatabase("jdbc:sqlite:runs/py.db", "jdbc:sqlite:runs/other.db"));
        assertFalse(sqlite.sameDatabase("jdbc:sqlite:runs/py.db", "jdbc:mariadb://h/runs/py.db"));
    }

    @Test
    void serverUrlsAreTheSameDatabaseOnlyWhenTheyAreTheSameText() {
        Dialect maria = Dialect.forUrl("jdbc:mariadb://h/db");
        assertTrue(maria.sameDatabase("jdbc:mariadb://h/db", "jdbc:mariadb://h/db"));
        assertFalse(maria.sameDatabase("jdbc:mariadb://h/db", "jdbc:mariadb://h:3306/db"));
    }

    @Test
    void aSqliteFileIsReadOnlyAndItsJournalModeLeftAlone() {
        Properties p = sqlite.readOnlyConnectionProperties(Duration.ofSeconds(5), Duration.ofSeconds(5));
        assertEquals("1", p.getProperty("open_mode"));
        assertNull(p.getProperty("journal_mode"));
        assertEquals("60000", p.getProperty("busy_timeout"));
    }
}
