package org.experimenter.pyexperimenter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.experimenter.ExperimenterException;
import org.experimenter.Status;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.store.Claim;
import org.experimenter.store.ClaimedRow;
import org.experimenter.store.ExperimentStore;
import org.experimenter.testing.FreezingProxy;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tables written as PyExperimenter 1.4.2 writes them, on SQLite and MariaDB, adopted into this
 * tool's table on the same database.
 */
class TableAdoptionTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final String TRACEBACK =
            "Traceback (most recent call last):\n  File \"run.py\", line 3, in run_ml\nValueError: Example error\n";

    @TempDir
    Path dir;

    private Connection source;
    private PyExperimenterTable py;
    private ExperimentStore target;

    private static String conf(String table) {
        return String.join(
                "\n",
                "keyfields {",
                "  dataset { type = string, values = [iris] }",
                "  seed { type = int, values = [1, 2, 3, 4, 5, 6, 7] }",
                "}",
                "resultfields { best_kernel = string, score = double }",
                "result-timestamps = true",
                "logtables { train_scores { f1 = double, kernel = string } }",
                "");
    }

    /** The PyExperimenter table's place: a SQLite file, or the MariaDB on this machine. */
    private String from(TestDb db) {
        return db == TestDb.SQLITE ? dir.resolve("py_experimenter.db").toString() : TestDb.mariaDbUrl();
    }

    private void writeSource(TestDb db, String table) throws Exception {
        writeSource(db, table, "DOUBLE");
    }

    private void writeSource(TestDb db, String table, String scoreType) throws Exception {
        Properties p = new Properties();
        String url = "jdbc:sqlite:" + from(db);
        if (db == TestDb.MARIADB) {
            url = TestDb.mariaDbUrl();
            p.setProperty("user", TestDb.mariaDbUser());
        }
        source = DriverManager.getConnection(url, p);
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("dataset", "VARCHAR(50)");
        keys.put("seed", "int");
        Map<String, String> results = new LinkedHashMap<>();
        results.put("best_kernel", "VARCHAR(50)");
        results.put("score", scoreType);
        py = new PyExperimenterTable(table, db == TestDb.MARIADB, keys, results, true);
        Map<String, String> log = new LinkedHashMap<>();
        log.put("f1", "DOUBLE");
        log.put("kernel", "VARCHAR(50)");
        py.create(source, Map.of("train_scores", log));
        py.fill(
                source,
                "2024-05-01 11:59:00",
                List.of(
                        List.of("iris", 1),
                        List.of("iris", 2),
                        List.of("iris", 3),
                        List.of("iris", 4),
                        List.of("iris", 5),
                        List.of("iris", 6)));
        // 1 done with results, their timestamps and two log rows
        py.update(source, 1, Map.of("status", "running", "start_date", "2024-05-01 12:00:00"));
        py.update(source, 1, Map.of("name", "example_notebook", "machine", "node7"));
        py.update(source, 1, Map.of("best_kernel", "rbf", "best_kernel_timestamp", "2024-05-01 12:00:05"));
        py.update(source, 1, Map.of("score", 0.75, "score_timestamp", "2024-05-01 12:00:06"));
        py.log(source, "train_scores", 1, "2024-05-01 12:00:01", Map.of("f1", 0.5, "kernel", "linear"));
        py.log(source, "train_scores", 1, "2024-05-01 12:00:02", Map.of("f1", 0.7, "kernel", "rbf"));
        py.update(source, 1, Map.of("status", "done", "end_date", "2024-05-01 12:00:07"));
        // 2 error with its traceback, 3 running forever (a crashed process), 4 paused
        py.update(source, 2, Map.of("status", "running", "start_date", "2024-05-01 12:01:00", "name", "n2"));
        py.update(source, 2, Map.of("error", TRACEBACK));
        py.update(source, 2, Map.of("status", "error", "end_date", "2024-05-01 12:01:01"));
        py.update(source, 3, Map.of("status", "running", "start_date", "2024-05-01 12:02:00", "score", 0.1));
        py.log(source, "train_scores", 3, "2024-05-01 12:02:01", Map.of("f1", 0.1, "kernel", "poly"));
        py.update(source, 4, Map.of("status", "running", "start_date", "2024-12-01 08:00:00"));
        py.update(source, 4, Map.of("status", "paused", "end_date", "2024-12-01 08:00:05"));
        // CodeCarbon's emissions of row 1, and of row 3 (running: reset, so its energy is not copied)
        py.createCodeCarbon(source);
        Map<String, Object> emissions = new LinkedHashMap<>();
        emissions.put("codecarbon_timestamp", "2024-05-01 12:00:07");
        emissions.put("duration_seconds", 7.0);
        emissions.put("emissions_kg", 2.0e-6);
        emissions.put("cpu_power_watt", 42.5);
        emissions.put("gpu_power_watt", 0.0);
        emissions.put("ram_power_watt", 4.75);
        emissions.put("cpu_energy_kw", 8.0e-5);
        emissions.put("gpu_energy_kw", 0.0);
        emissions.put("ram_energy_kw", 1.0e-5);
        emissions.put("energy_consumed_kw", 9.0e-5);
        emissions.put("country_name", "Germany");
        emissions.put("country_iso_code", "DEU");
        emissions.put("cpu_count", 2.0);
        emissions.put("cpu_model", "Intel(R) Xeon(R) CPU @ 2.00GHz");
        emissions.put("ram_total_size", 12.67);
        emissions.put("tracking_mode", "machine");
        py.codecarbon(source, 1, emissions);
        py.codecarbon(source, 3, emissions);
    }

    private ExperimentStore target(TestDb db, String table) {
        ExperimentConfig c = db.config(dir, table, conf(table));
        if (db == TestDb.SQLITE) {
            c = c.withOverrides(Map.of("database.url", "jdbc:sqlite:" + dir.resolve("mine.db")));
        }
        target = new ExperimentStore(c);
        return target;
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (target != null) {
            target.drop();
        }
        if (source != null) {
            py.drop(source, List.of("train_scores"));
            source.close();
        }
    }

    private TableAdoption.Options options(TestDb db, boolean resetRunning) {
        return new TableAdoption.Options(from(db), py.table, BERLIN, resetRunning, null, null, null);
    }

    @ParameterizedTest
    @EnumSource(
            value = TestDb.class,
            names = {"SQLITE", "MARIADB"})
    void aPyExperimenterTableIsCopiedWithItsIdsStatusesResultsDatesAndLogRows(TestDb db) throws Exception {
        writeSource(db, TestDb.uniqueTable("py_source"));
        ExperimentStore s = target(db, TestDb.uniqueTable("adopted"));
        ExperimentConfig config = s.config();

        TableAdoption.AdoptionException refused = assertThrows(
                TableAdoption.AdoptionException.class, () -> TableAdoption.adopt(config, options(db, false)));
        assertTrue(refused.getMessage().startsWith("1 rows of " + py.table + " in "), refused.getMessage());
        assertTrue(refused.getMessage().contains("Give --reset-running"), refused.getMessage());
        assertEquals(0, s.rows().size(), "nothing was copied");

        TableAdoption.Report r = TableAdoption.adopt(config, options(db, true));
        assertEquals(
                Map.of(Status.CREATED, 2L, Status.RUNNING, 1L, Status.DONE, 1L, Status.ERROR, 1L, Status.PAUSED, 1L),
                r.source());
        assertEquals(
                Map.of(Status.CREATED, 3L, Status.RUNNING, 0L, Status.DONE, 1L, Status.ERROR, 1L, Status.PAUSED, 1L),
                r.after());
        assertEquals(6, r.copied());
        assertEquals(1, r.reset());
        assertEquals(2, r.logRows(), "the running row's log went with its results");
        assertTrue(r.lines().get(r.lines().size() - 1).startsWith("counts agree"), String.join("\n", r.lines()));

        Map<String, Object> done = s.row(1L);
        assertEquals("iris", done.get("dataset"));
        assertEquals(1, done.get("seed"));
        assertEquals("done", done.get("status"));
        assertEquals("rbf", done.get("best_kernel"));
        assertEquals(0.75, done.get("score"));
        assertEquals(Instant.parse("2024-05-01T09:59:00Z"), done.get("creation_date"), "Berlin summer time, UTC+2");
        assertEquals(Instant.parse("2024-05-01T10:00:00Z"), done.get("start_date"));
        assertEquals(Instant.parse("2024-05-01T10:00:07Z"), done.get("end_date"));
        assertEquals(Instant.parse("2024-05-01T10:00:06Z"), done.get("score_timestamp"));
        assertEquals("node7", done.get("machine"));
        assertEquals("pyexperimenter:example_notebook", done.get("run_id"));
        assertEquals(1, done.get("attempt"));
        assertEquals(
                List.of(Map.of("f1", 0.5, "kernel", "linear"), Map.of("f1", 0.7, "kernel", "rbf")),
                s.logRows("train_scores", 1L));
        assertEquals("done", s.attempts(1L).get(0).get("outcome"));
        try (Connection c = s.connect();
                java.sql.Statement st = c.createStatement();
                java.sql.ResultSet e = st.executeQuery("SELECT id, attempt, duration_s, cpu_energy_kwh, ram_energy_kwh,"
                        + " gpu_energy_kwh, energy_kwh, emissions_kg, method, cpu_power_w, cpu_model, cpu_count,"
                        + " ram_gb, country, carbon_intensity_g_per_kwh FROM " + config.table() + "__energy")) {
            assertTrue(e.next(), "row 1's CodeCarbon row is copied");
            assertEquals(1L, e.getLong("id"));
            assertEquals(1, e.getInt("attempt"));
            assertEquals(7.0, e.getDouble("duration_s"), 0.0);
            assertEquals(8.0e-5, e.getDouble("cpu_energy_kwh"), 0.0);
            assertEquals(1.0e-5, e.getDouble("ram_energy_kwh"), 0.0);
            assertEquals(0.0, e.getDouble("gpu_energy_kwh"), 0.0);
            assertEquals(9.0e-5, e.getDouble("energy_kwh"), 0.0);
            assertEquals(2.0e-6, e.getDouble("emissions_kg"), 0.0);
            assertEquals("codecarbon", e.getString("method"));
            assertEquals(42.5, e.getDouble("cpu_power_w"), 0.0);
            assertEquals("Intel(R) Xeon(R) CPU @ 2.00GHz", e.getString("cpu_model"));
            assertEquals(2, e.getInt("cpu_count"));
            assertEquals(12.67, e.getDouble("ram_gb"), 0.0);
            assertEquals("DEU", e.getString("country"));
            assertEquals(2.0e-6 * 1000 / 9.0e-5, e.getDouble("carbon_intensity_g_per_kwh"), 1e-9);
            assertFalse(e.next(), "row 3 was reset: its energy is not copied");
        }
        assertTrue(
                r.lines()
                        .contains("CodeCarbon table " + py.table + "_codecarbon: 1 rows to copy into " + config.table()
                                + "__energy, 1 not (of rows skipped, reset or missing)"),
                String.join("\n", r.lines()));

        Map<String, Object> error = s.row(2L);
        assertEquals("error", error.get("status"));
        assertEquals(TRACEBACK, error.get("error"));
        assertEquals("exception", error.get("error_kind"));

        Map<String, Object> crashed = s.row(3L);
        assertEquals("created", crashed.get("status"));
        assertEquals(0, crashed.get("attempt"));
        assertNull(crashed.get("start_date"));
        assertNull(crashed.get("score"), "reset clears the results of a row that runs again");
        assertEquals(List.of(), s.logRows("train_scores", 3L));

        Map<String, Object> paused = s.row(4L);
        assertEquals("paused", paused.get("status"));
        assertEquals(Instant.parse("2024-12-01T07:00:00Z"), paused.get("start_date"), "Berlin winter time, UTC+1");

        // again: every row is there already; nothing is doubled
        TableAdoption.Report again = TableAdoption.adopt(config, options(db, true));
        assertEquals(0, again.copied());
        assertEquals(6, again.skipped());
        assertEquals(r.after(), again.after());
        assertEquals(2, s.logRows("train_scores", 1L).size());

        // a run goes on with the created rows; the grid's new rows get ids after the copied ones
        assertEquals(1, s.fill(config.grid().iterator()), "seed 7 is the one combination PyExperimenter had not");
        assertEquals(7L, s.idOf(new Object[] {"iris", 7}));
        try (Connection c = s.connect()) {
            List<ClaimedRow> claimed = s.claimNext(c, 10, null, new Claim("run", "e", "h", "t", "app"));
            assertEquals(
                    List.of(3L, 5L, 6L, 7L),
                    claimed.stream().map(ClaimedRow::id).toList());
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = TestDb.class,
            names = {"SQLITE", "MARIADB"})
    void rowsThatCannotBeReadAreListedAndNothingIsCopied(TestDb db) throws Exception {
        writeSource(db, TestDb.uniqueTable("py_bad"));
        // no UNIQUE key there: the same combination twice; a conditional grid's unset keyfield
        py.fill(source, "2024-05-01 11:59:00", List.of(List.of("iris", 2)));
        py.update(source, 5, java.util.Collections.singletonMap("dataset", null));
        if (db == TestDb.SQLITE) {
            py.update(source, 3, Map.of("status", "done", "end_date", "yesterday")); // SQLite takes any text
        }
        ExperimentStore s = target(db, TestDb.uniqueTable("adopted_bad"));
        String m = assertThrows(
                        TableAdoption.AdoptionException.class, () -> TableAdoption.adopt(s.config(), options(db, true)))
                .getMessage();
        assertTrue(m.startsWith((db == TestDb.SQLITE ? 3 : 2) + " rows of " + py.table + " in "), m);
        assertTrue(m.contains("cannot be copied into " + s.table() + "; nothing was copied:"), m);
        assertTrue(
                m.contains("\n  row 5: keyfield dataset is NULL (keyfields here always have a value; --null-as TEXT"
                        + " stores one instead)"),
                m);
        if (db == TestDb.SQLITE) {
            assertTrue(m.contains("\n  row 3: end_date 'yesterday' is not a date yyyy-MM-dd HH:mm:ss"), m);
        }
        assertTrue(m.contains(": the same keyfield values as row 2 [iris, 2] (keyfields are unique here)"), m);
        assertEquals(0, s.rows().size());
    }

    @ParameterizedTest
    @EnumSource(
            value = TestDb.class,
            names = {"MARIADB"})
    void anUnreachableSourceIsNamedWithoutItsPassword(TestDb db) throws Exception {
        writeSource(db, TestDb.uniqueTable("py_pw"));
        ExperimentStore s = target(db, TestDb.uniqueTable("adopted_pw"));
        TableAdoption.Options o = new TableAdoption.Options(
                "jdbc:mariadb://127.0.0.1:1/test?password=hunter2secret",
                py.table,
                BERLIN,
                true,
                null,
                "u",
                "hunter2secret");
        ExperimenterException e = assertThrows(ExperimenterException.class, () -> TableAdoption.adopt(s.config(), o));
        assertTrue(
                e.getMessage().startsWith("cannot connect to jdbc:mariadb://127.0.0.1:1/test?password=***"),
                e.getMessage());
        assertFalse(e.getMessage().contains("hunter2secret"), e.getMessage());
    }

    @Test
    void aTableNameThatIsNoIdentifierIsRefusedInOneLine() throws Exception {
        ExperimentStore s = target(TestDb.SQLITE, TestDb.uniqueTable("adopted_name"));
        Files.createFile(dir.resolve("py_experimenter.db"));
        TableAdoption.Options o =
                new TableAdoption.Options(from(TestDb.SQLITE), "runs; DROP TABLE runs", BERLIN, true, null, null, null);
        ExperimenterException e = assertThrows(ExperimenterException.class, () -> TableAdoption.adopt(s.config(), o));
        assertEquals(
                "--table runs; DROP TABLE runs: not a table name (letters, digits and _, not starting with a digit,"
                        + " at most 64)",
                e.getMessage());
    }

    @Test
    void theConfigsUserAndPasswordGoOnlyToItsOwnDatabaseServer() throws Exception {
        writeSource(TestDb.MARIADB, TestDb.uniqueTable("py_creds"));
        // the config's database is a SQLite file; its user and password are for that, not for --from
        ExperimentStore s = new ExperimentStore(target(TestDb.SQLITE, TestDb.uniqueTable("adopted_creds"))
                .config()
                .withOverrides(Map.of("database.user", "config_user_xq", "database.password", "config-secret")));
        target = s;
        int mariaDbPort = SourceDatabase.server(TestDb.mariaDbUrl()).port();
        try (FreezingProxy elsewhere = new FreezingProxy(mariaDbPort)) {
            String url = "jdbc:mariadb://127.0.0.1:" + elsewhere.port() + "/test";
            try {
                TableAdoption.adopt(
                        s.config(), new TableAdoption.Options(url, py.table, BERLIN, true, null, null, null));
            } catch (ExperimenterException e) {
                // this server may refuse a connection without a user: then the message says what to give
                assertTrue(e.getMessage().contains("give --from-user"), e.getMessage());
                assertFalse(e.getMessage().contains("config-secret"), e.getMessage());
            }
            String sent = new String(elsewhere.sent(), StandardCharsets.ISO_8859_1);
            assertFalse(sent.contains("config_user_xq"), "the config's user went to another server");

            TableAdoption.Report r = TableAdoption.adopt(
                    s.config(), new TableAdoption.Options(url, py.table, BERLIN, true, null, TestDb.mariaDbUser(), ""));
            assertEquals(
                    6, r.after().values().stream().mapToLong(Long::longValue).sum());
            sent = new String(elsewhere.sent(), StandardCharsets.ISO_8859_1);
            assertTrue(sent.contains(TestDb.mariaDbUser()), "--from-user is sent");
        }
    }

    @Test
    void decimalResultsOfMariaDbAreCopiedAsStoredWithANoteNamingThemAndTheirScale() throws Exception {
        // PyExperimenter's DECIMAL is MySQL's DECIMAL(10,0): its 0.75 was stored as 1
        writeSource(TestDb.MARIADB, TestDb.uniqueTable("py_dec"), "DECIMAL");
        ExperimentStore s = target(TestDb.MARIADB, TestDb.uniqueTable("adopted_dec"));
        TableAdoption.Report r = TableAdoption.adopt(s.config(), options(TestDb.MARIADB, true));
        List<String> notes =
                r.lines().stream().filter(l -> l.startsWith("note:")).toList();
        assertEquals(
                List.of("note: score (scale 0) are DECIMAL there: MySQL rounded PyExperimenter's values to that scale"
                        + " when they were written, and they are copied as stored"),
                notes);
        assertEquals(1.0, ((Number) s.row(1).get("score")).doubleValue());
    }
}
