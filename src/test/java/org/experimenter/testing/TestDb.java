package org.experimenter.testing;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.experimenter.Experimenter;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.store.ExperimentStore;

/**
 * The databases tests run against: a SQLite file per test, and the PostgreSQL and MariaDB on
 * this machine.
 */
public enum TestDb {
    SQLITE,
    POSTGRES,
    MARIADB;

    private static final AtomicInteger COUNTER = new AtomicInteger();

    public static String pgUrl() {
        return System.getProperty("test.pg.url", "jdbc:postgresql://127.0.0.1:5432/test");
    }

    public static String pgUser() {
        return System.getProperty("test.pg.user", "postgres");
    }

    public static String mariaDbUrl() {
        return System.getProperty("test.mariadb.url", "jdbc:mariadb://127.0.0.1:3306/test");
    }

    public static String mariaDbUser() {
        return System.getProperty("test.mariadb.user", "root");
    }

    /** A table name no other test uses. */
    public static String uniqueTable(String prefix) {
        return prefix + "_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    }

    /** The database section of a config for this database; SQLite files go into dir. */
    public Map<String, Object> database(Path dir, String table) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (this == SQLITE) {
            m.put("database.url", "jdbc:sqlite:" + dir.resolve(table + ".db"));
        } else if (this == POSTGRES) {
            m.put("database.url", pgUrl());
            m.put("database.user", pgUser());
        } else {
            m.put("database.url", mariaDbUrl());
            m.put("database.user", mariaDbUser());
        }
        m.put("database.table", table);
        return m;
    }

    /** A config from HOCON text with the database section pointed at this database. */
    public ExperimentConfig config(Path dir, String table, String hocon) {
        return ExperimentConfig.parse(hocon + "\ndatabase.table = " + table + "\n", "test.conf")
                .withOverrides(database(dir, table));
    }

    /** The experiment table of an experimenter's config, for looking at rows in tests. */
    public static ExperimentStore store(Experimenter ex) {
        return new ExperimentStore(ex.config());
    }
}
