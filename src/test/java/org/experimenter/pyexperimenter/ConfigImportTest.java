package org.experimenter.pyexperimenter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.experimenter.Experimenter;
import org.experimenter.ExperimenterException;
import org.experimenter.InvalidConfigException;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.grid.Parameter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configs of PyExperimenter's documented examples (src/test/resources/pyexperimenter),
 * imported and compared field by field with the HOCON expected of them, and their grids with the
 * rows PyExperimenter fills (np.meshgrid of the value lists, written out here by hand).
 */
class ConfigImportTest {
    private static final Path RESOURCES = Path.of("src/test/resources/pyexperimenter");

    @TempDir
    Path dir;

    private static ExperimentConfig imported(ConfigImport.Result r) {
        return ExperimentConfig.parse(r.hocon(), "imported.conf");
    }

    private static ExperimentConfig expected(String name) throws Exception {
        return ExperimentConfig.parse(Files.readString(RESOURCES.resolve(name)), name);
    }

    /** Every field of the two configs that the import writes, one assertion each, named. */
    private static void assertSameFields(ExperimentConfig expected, ExperimentConfig actual) {
        assertEquals(expected.url(), actual.url(), "database.url");
        assertEquals(expected.user(), actual.user(), "database.user");
        assertEquals(expected.password(), actual.password(), "database.password");
        assertEquals(expected.table(), actual.table(), "database.table");
        assertEquals(expected.keyfieldNames(), actual.keyfieldNames(), "keyfield names in order");
        for (Parameter e : expected.keyfields()) {
            Parameter a = actual.keyfield(e.name());
            assertEquals(e.type(), a.type(), "keyfields." + e.name() + ".type");
            assertEquals(e.values(), a.values(), "keyfields." + e.name() + ".values");
        }
        assertEquals(
                List.copyOf(expected.resultfields().entrySet()),
                List.copyOf(actual.resultfields().entrySet()));
        assertEquals(expected.resultTimestamps(), actual.resultTimestamps(), "result-timestamps");
        assertEquals(expected.logtables(), actual.logtables(), "logtables");
        assertEquals(
                expected.custom().root().unwrapped(), actual.custom().root().unwrapped(), "custom");
    }

    private static Set<List<Object>> rows(ExperimentConfig c) {
        Set<List<Object>> out = new HashSet<>();
        for (Object[] r : c.grid()) {
            out.add(Arrays.asList(r));
        }
        return out;
    }

    private static boolean mentions(List<String> decisions, String line, String text) {
        return decisions.stream().anyMatch(d -> d.contains(": " + line + ": ") && d.contains(text));
    }

    @Test
    void theGeneralUsageExampleImportsFieldByFieldWithItsRangeAsNumpyExpandsIt() throws Exception {
        ConfigImport.Result r = ConfigImport.read(RESOURCES.resolve("general_usage.yml"), null, null);
        ExperimentConfig c = imported(r);
        assertSameFields(expected("general_usage.expected.conf"), c);
        // seed: start 2, stop 7, step 2 -> np.arange(2, 7, 2) = [2, 4, 6]
        Set<List<Object>> pyRows = new HashSet<>();
        for (int seed : new int[] {2, 4, 6}) {
            for (String kernel : List.of("linear", "poly", "rbf", "sigmoid")) {
                pyRows.add(List.of("iris", 5, seed, kernel));
            }
        }
        assertEquals(pyRows, rows(c));
        assertEquals(12, c.grid().size());
        assertTrue(r.hocon().contains("seed { type = int, values = { start = 2, stop = 7, step = 2 } }"), r.hocon());
        List<String> d = r.decisions();
        assertTrue(mentions(d, "3", "PY_EXPERIMENTER.n_jobs: not carried over"), String.join("\n", d));
        assertTrue(mentions(d, "37", "PY_EXPERIMENTER.CodeCarbon: not carried over"), String.join("\n", d));
        assertTrue(
                mentions(d, "29", "DECIMAL -> double: DECIMAL has numeric affinity in SQLite"), String.join("\n", d));
        assertTrue(mentions(d, "6", "sqlite: the file py_experimenter.db"), String.join("\n", d));
    }

    @Test
    void theConditionalGridExampleHasKeyfieldsWithoutValuesFilledFromItsCombinations() throws Exception {
        ConfigImport.Result r = ConfigImport.read(RESOURCES.resolve("conditional_grid.yml"), null, null);
        ExperimentConfig c = imported(r);
        assertSameFields(expected("conditional_grid.expected.conf"), c);
        assertTrue(mentions(r.decisions(), "32", "PyExperimenter 1.4.2 reads only 'Custom' and ignored this"));
        assertTrue(mentions(r.decisions(), "11", "keyfields.dataset: no values"));

        ExperimentConfig local = c.withOverrides(Map.of("database.url", "jdbc:sqlite:" + dir.resolve("c.db")));
        Experimenter ex = Experimenter.of(local);
        String m = assertThrows(ExperimenterException.class, ex::fill).getMessage();
        assertTrue(m.startsWith("keyfield dataset has no values in imported.conf, so there is no grid to fill"), m);

        com.typesafe.config.Config comb = com.typesafe.config.ConfigFactory.parseFile(
                RESOURCES.resolve("conditional_grid.combinations.conf").toFile());
        List<Map<String, ?>> fixed = new ArrayList<>();
        comb.getObjectList("fixed").forEach(o -> fixed.add(o.unwrapped()));
        Map<String, List<?>> grid = new java.util.LinkedHashMap<>();
        for (String k : comb.getObject("grid").keySet()) {
            grid.put(k, comb.getList("grid." + k).unwrapped());
        }
        assertEquals(55, ex.fillCombinations(fixed, grid));
        // the notebook's combinations: 2 rbf, 8 poly, 1 linear, each with seeds 1..5
        Set<List<Object>> pyRows = new HashSet<>();
        for (int seed = 1; seed <= 5; seed++) {
            for (String gamma : List.of("0.1", "0.3")) {
                pyRows.add(List.of("iris", 5, seed, "rbf", gamma, "nan", "nan"));
                for (String degree : List.of("3", "4")) {
                    for (String coef0 : List.of("0.0", "0.1")) {
                        pyRows.add(List.of("iris", 5, seed, "poly", gamma, degree, coef0));
                    }
                }
            }
            pyRows.add(List.of("iris", 5, seed, "linear", "nan", "nan", "nan"));
        }
        Set<List<Object>> filled = new HashSet<>();
        for (Map<String, Object> row : org.experimenter.testing.TestDb.store(ex).rows()) {
            List<Object> v = new ArrayList<>();
            for (String k : c.keyfieldNames()) {
                v.add(row.get(k));
            }
            filled.add(v);
        }
        assertEquals(pyRows, filled);
        ex.drop();
    }

    @Test
    void aLineBreakInTheFilesNameStaysInTheComment() throws Exception {
        Path yaml = dir.resolve("x\nexperiment { command = [sh, -c, \"touch PWNED\"] }\n#.yml");
        Files.copy(RESOURCES.resolve("general_usage.yml"), yaml);
        ConfigImport.Result r = ConfigImport.read(yaml, null, null);
        // before, the name's second line was written as config: an experiment command the import
        // said the config did not have
        assertFalse(com.typesafe.config.ConfigFactory.parseString(r.hocon()).hasPath("experiment"), r.hocon());
        assertTrue(r.hocon().startsWith("# Made by import-pyexperimenter from x?experiment { command"), r.hocon());
    }

    @Test
    void theLogtablesExampleCarriesItsLogTablesFromUnderDatabaseToTheTopLevel() throws Exception {
        ConfigImport.Result r = ConfigImport.read(RESOURCES.resolve("logtables.yml"), null, null);
        ExperimentConfig c = imported(r);
        assertSameFields(expected("logtables.expected.conf"), c);
        Set<List<Object>> pyRows = new HashSet<>();
        for (int seed = 1; seed <= 5; seed++) {
            pyRows.add(List.of("iris", 5, seed));
        }
        assertEquals(pyRows, rows(c));
        assertTrue(mentions(r.decisions(), "24", "PY_EXPERIMENTER.Database.logtables: log tables: under"));
    }

    @Test
    void aMySqlConfigTakesServerAndUserFromTheCredentialsAndNeverThePassword() throws Exception {
        ConfigImport.Result r = ConfigImport.read(
                RESOURCES.resolve("keyfield_types.yml"), RESOURCES.resolve("database_credentials.yml"), null);
        ExperimentConfig c = imported(r);
        assertSameFields(expected("keyfield_types.expected.conf"), c);
        assertEquals(3 * 5 * 4 * 9 * 8, c.grid().size());
        assertFalse(r.hocon().contains("example_password"), r.hocon());
        assertFalse(String.join("\n", r.decisions()).contains("example_password"));
        assertTrue(r.hocon().contains("password = ${?EXPERIMENTER_DB_PASSWORD}"), r.hocon());
        // the documentation's NUMERIC on MySQL is DECIMAL(10,0): its 1.5 was stored as 2
        assertTrue(mentions(r.decisions(), "27", "NUMERIC has scale 0 in MySQL"), String.join("\n", r.decisions()));
        assertTrue(
                r.hocon()
                        .contains("numeric_shortened_input_name { type = double, values = { start = 1, stop = 5,"
                                + " step = 0.5 } }"),
                r.hocon());
        assertTrue(mentions(r.decisions(), "38", "result-timestamps = true"));
    }

    @Test
    void aCredentialFileWithAnEmptyPasswordIsNotAskedForOne() throws Exception {
        for (String empty : List.of("''", "")) {
            Path creds = dir.resolve("creds.yml");
            Files.writeString(
                    creds,
                    "CREDENTIALS:\n  Database:\n    user: root\n    password: " + empty + "\n  Connection:\n"
                            + "    Standard:\n      server: 127.0.0.1\n");
            Path out = dir.resolve("conf/local.conf");
            java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
            java.io.PrintStream before = System.out;
            int code;
            System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
            try {
                code = org.experimenter.cli.Main.execute(
                        "import-pyexperimenter",
                        RESOURCES.resolve("keyfield_types.yml").toString(),
                        "--credentials",
                        creds.toString(),
                        "--output",
                        out.toString(),
                        "--force");
            } finally {
                System.setOut(before);
            }
            String text = printed.toString(java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(0, code, text);
            assertFalse(text.contains("EXPERIMENTER_DB_PASSWORD"), text);
            assertTrue(text.contains("it has no password, and the config reads none"), text);
            assertFalse(Files.readString(out).contains("password"), Files.readString(out));
            assertEquals("root", ExperimentConfig.load(out).user());
        }
    }

    @Test
    void theCommandWritesTheConfigAndPrintsItsDecisionsWithoutThePassword() throws Exception {
        Path out = dir.resolve("conf/mine.conf");
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        java.io.PrintStream before = System.out;
        int code;
        System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            code = org.experimenter.cli.Main.execute(
                    "import-pyexperimenter",
                    RESOURCES.resolve("keyfield_types.yml").toString(),
                    "--credentials",
                    RESOURCES.resolve("database_credentials.yml").toString(),
                    "--output",
                    out.toString(),
                    "--table",
                    "mine");
        } finally {
            System.setOut(before);
        }
        String text = printed.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, code, text);
        assertTrue(text.startsWith("wrote " + out + " (table mine)\n"), text);
        assertTrue(text.contains("set EXPERIMENTER_DB_PASSWORD"), text);
        assertFalse(text.contains("example_password"), text);
        String written = Files.readString(out);
        assertFalse(written.contains("example_password"), written);
        assertEquals("mine", ExperimentConfig.load(out).table());
        assertEquals(
                1,
                org.experimenter.cli.Main.execute("import-pyexperimenter", "x.yml", "--output", out.toString()),
                "an existing output is not overwritten without --force");
    }

    @Test
    void numpysArangeIsFollowedToTheLastFloatingPointError() {
        assertEquals(List.of(2L, 4L, 6L), NumpyRange.arange(2L, 7L, 2L));
        assertEquals(List.of(5L, 3L, 1L), NumpyRange.arange(5L, 0L, -2L));
        assertEquals(List.of(), NumpyRange.arange(5L, 2L, 1L));
        // numpy 1.x and 2.x: np.arange(0.1, 0.5, 0.1).tolist(), np.arange(1, 1.3, 0.1).tolist()
        assertEquals(List.of(0.1, 0.2, 0.30000000000000004, 0.4), NumpyRange.arange(0.1, 0.5, 0.1));
        assertEquals(List.of(1.0, 1.1, 1.2000000000000002, 1.3000000000000003), NumpyRange.arange(1L, 1.3, 0.1));
        assertEquals(List.of(0.0, 0.5, 1.0, 1.5), NumpyRange.arange(0L, 2L, 0.5));
    }

    @Test
    void aFloatRangeWhoseNumpyValuesDifferFromAnExactRangeIsWrittenAsNumpysList() throws Exception {
        Path yml = write(
                "PY_EXPERIMENTER:\n  Database:\n    provider: sqlite\n    database: d\n    table:\n      name: t\n"
                        + "      keyfields:\n        lr:\n          type: DOUBLE\n          values:\n"
                        + "            start: 1\n            stop: 1.3\n            step: 0.1\n");
        ConfigImport.Result r = ConfigImport.read(yml, null, null);
        assertEquals(
                List.of(1.0, 1.1, 1.2000000000000002, 1.3000000000000003),
                imported(r).keyfield("lr").values());
        assertTrue(mentions(r.decisions(), "10", "written as that list"), String.join("\n", r.decisions()));
    }

    @Test
    void aVarcharKeyfieldLongerThanMariaDbKeepsIsNamed() throws Exception {
        Path yml = write(HEAD.replace("sqlite", "mysql")
                + "      keyfields:\n        path:\n          type: VARCHAR(500)\n          values: [a]\n");
        ConfigImport.Result r = ConfigImport.read(yml, RESOURCES.resolve("database_credentials.yml"), null);
        assertTrue(
                mentions(
                        r.decisions(), "9", "keyfields.path.type: a string keyfield here keeps at most 255 characters"),
                String.join("\n", r.decisions()));
    }

    private Path write(String yaml) throws Exception {
        Path p = dir.resolve("c.yml");
        Files.writeString(p, yaml);
        return p;
    }

    private String error(String yaml) throws Exception {
        Path p = write(yaml);
        return assertThrows(InvalidConfigException.class, () -> ConfigImport.read(p, null, null))
                .getMessage()
                .replace(p.toString(), "c.yml");
    }

    private static final String HEAD =
            "PY_EXPERIMENTER:\n  Database:\n    provider: sqlite\n    database: d\n    table:\n      name: t\n";

    @Test
    void badInputIsOneLineNamingFileLineAndKey() throws Exception {
        assertEquals(
                "c.yml: 9: PY_EXPERIMENTER.Database.table.keyfields.k.type: unknown type 'INTEGR'; known: "
                        + SqlTypes.KNOWN,
                error(HEAD + "      keyfields:\n        k:\n          type: INTEGR\n"));
        assertEquals(
                "c.yml: 9: PY_EXPERIMENTER.Database.table.keyfields.k.valuez: unknown key; PyExperimenter 1.4.2"
                        + " reads only type, values here",
                error(HEAD + "      keyfields:\n        k:\n          valuez: [1]\n          type: INT\n"));
        String misplaced = error(HEAD
                + "      keyfields:\n        k:\n          type: INT\n          values: [1]\n      logtables:\n"
                + "        l:\n          x: INT\n");
        assertTrue(misplaced.startsWith("c.yml: 11: PY_EXPERIMENTER.Database.table.logtables: unknown key"), misplaced);
        assertTrue(misplaced.endsWith("log tables sit under PY_EXPERIMENTER.Database, not under its table"), misplaced);
        assertEquals(
                "c.yml: 8: PY_EXPERIMENTER.Database.table.keyfields.status: 'status' is a built-in column of this"
                        + " tool's experiment table; rename the keyfield",
                error(HEAD + "      keyfields:\n        status:\n          type: INT\n          values: [1]\n"));
        assertEquals(
                "c.yml: 10: PY_EXPERIMENTER.Database.table.keyfields.k.values: numpy's arange(1, 2, 0.5) gives"
                        + " fractional values for an integer keyfield; declare it as a DOUBLE",
                error(HEAD + "      keyfields:\n        k:\n          type: INT\n          values:\n"
                        + "            start: 1\n            stop: 2\n            step: 0.5\n"));
        String creds = assertThrows(
                        InvalidConfigException.class,
                        () -> ConfigImport.read(
                                write(HEAD.replace("sqlite", "mysql")
                                        + "      keyfields:\n        k:\n          type: INT\n          values: [1]\n"),
                                null,
                                null))
                .getMessage();
        assertTrue(creds.startsWith("provider mysql: give PyExperimenter's database credential file with"), creds);
    }

    @Test
    void aliasBombsAndHugeFilesAreRefusedInOneLineNamingTheFile() throws Exception {
        String head = HEAD + "      keyfields:\n        k:\n          type: INT\n          values: [1]\n  Custom:\n";
        // 24 levels, each two aliases of the one before: 2^24 copies once expanded
        StringBuilder levels = new StringBuilder("    l0: &l0 [a, a]\n");
        for (int i = 1; i <= 24; i++) {
            levels.append("    l")
                    .append(i)
                    .append(": &l")
                    .append(i)
                    .append(" [*l")
                    .append(i - 1)
                    .append(", *l")
                    .append(i - 1)
                    .append("]\n");
        }
        String nested = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> error(head + levels));
        assertEquals(
                "c.yml: not YAML: Number of aliases for non-scalar nodes exceeds the specified max="
                        + Yaml.MAX_COLLECTION_ALIASES,
                nested);

        // one long text, aliased thousands of times
        StringBuilder texts = new StringBuilder("    s: &s " + "x".repeat(1000) + "\n    l: [");
        for (int i = 0; i < 5000; i++) {
            texts.append(i == 0 ? "" : ", ").append("*s");
        }
        String text = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> error(head + texts + "]\n"));
        assertEquals(
                "c.yml: 11: PY_EXPERIMENTER.Custom: over " + Yaml.MAX_CHARS + " characters once its aliases are"
                        + " expanded",
                text);

        String huge = error(head + "    big: " + "y".repeat(Yaml.MAX_CHARS) + "\n");
        assertTrue(huge.startsWith("c.yml: not YAML: The incoming YAML document exceeds the limit"), huge);
        assertFalse(huge.contains("\n"), huge);
    }
}
