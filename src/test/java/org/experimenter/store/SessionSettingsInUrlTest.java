package org.experimenter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Map;
import org.experimenter.InvalidConfigException;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A MariaDB URL naming a setting the store gives every session ({@code sessionVariables}, which
 * carries NO_BACKSLASH_ESCAPES, or {@code useBulkStmts}): MariaDB's driver takes the URL's over the
 * store's, so the store's SQL would be read differently (a backslash ending a string literal of a
 * --where escapes its closing quote). It is refused before any statement, naming the setting.
 */
class SessionSettingsInUrlTest {
    @TempDir
    Path dir;

    @Test
    void aSessionSettingOfTheStoreInTheUrlIsRefusedNamingIt() {
        String table = TestDb.uniqueTable("session_url");
        for (String query :
                new String[] {"?sessionVariables=time_zone='+00:00'", "?useBulkStmts=true&SESSIONVARIABLES=x"}) {
            ExperimentConfig c = TestDb.MARIADB
                    .config(dir, table, "keyfields { name { type = string, values = [a, b] } }\n")
                    .withOverrides(Map.of("database.url", TestDb.mariaDbUrl() + query));
            InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> {
                ExperimentStore store = new ExperimentStore(c);
                try (java.sql.Connection conn = store.connect()) {
                    // opened: the settings were not refused
                } finally {
                    store.drop();
                }
            });
            boolean one = query.startsWith("?session");
            assertEquals(
                    "test.conf: database.url: " + (one ? "sessionVariables" : "useBulkStmts, sessionVariables")
                            + ": the tool sets " + (one ? "it" : "them") + " on every session (UTC, READ COMMITTED,"
                            + " sql_mode with NO_BACKSLASH_ESCAPES, one row count per statement of a batch), and the"
                            + " URL's would replace the tool's; leave " + (one ? "it" : "them") + " out of the URL",
                    e.getMessage(),
                    query);
        }
    }
}
