package org.experimenter.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.experimenter.Experimenter;
import org.experimenter.FieldType;
import org.experimenter.InvalidConfigException;
import org.experimenter.testing.Experiments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentConfigTest {
    @TempDir
    Path dir;

    private static final String VALID = String.join(
            "\n",
            "database { table = runs }",
            "keyfields {",
            "  dataset { type = string, values = [iris, wine] }",
            "  seed { type = int, values = { start = 0, stop = 5 } }",
            "  lr { type = double, values = { start = 0.1, stop = 0.4, step = 0.1 } }",
            "}",
            "resultfields { accuracy = double, n = long }",
            "custom { folds = 3 }",
            "");

    private Path write(String text) throws Exception {
        Path f = dir.resolve("exp.conf");
        Files.writeString(f, text);
        return f;
    }

    private String error(String text) throws Exception {
        Path f = write(text);
        return assertThrows(InvalidConfigException.class, () -> ExperimentConfig.load(f))
                .getMessage();
    }

    @Test
    void aTableNameWhoseDerivedNamesPostgresqlWouldCutIsRefusedNamingTheLongestOne() throws Exception {
        String name = "t" + "x".repeat(45); // 46 characters: its attempts index has 64
        String pg = "database { url = \"jdbc:postgresql://127.0.0.1/test\", table = " + name + " }\n";
        String m = error(VALID.replace("database { table = runs }", "") + pg);
        assertTrue(
                m.contains("exp.conf: 9: database.table: too long for postgresql: it names " + name
                        + "__attempts_exp_idx, 64 characters, and postgresql keeps at most 63"),
                m);
        // SQLite keeps any name
        assertEquals(
                name,
                ExperimentConfig.load(write(VALID.replace("table = runs", "table = " + name)))
                        .table());
        // a log table's names too
        String log = "database { url = \"jdbc:postgresql://127.0.0.1/test\", table = runs }\n" + "logtables { "
                + "e".repeat(50) + " { loss = double } }\n";
        m = error(VALID.replace("database { table = runs }", "") + log);
        assertTrue(
                m.contains(
                        "logtables." + "e".repeat(50) + ": too long for postgresql: it names runs__" + "e".repeat(50)),
                m);
    }

    @Test
    void theColumnsTheToolAddsCannotBeTakenByFields() throws Exception {
        assertTrue(error(VALID.replace("n = long", "lease_ms = long")).contains("'lease_ms' is a built-in column"));
        assertTrue(error(VALID + "logtables { epochs { attempt = int } }\n")
                .contains("'attempt' is a built-in column of log tables"));
    }

    /**
     * An include that names no file is an error naming it (HOCON passed over it without a word: a
     * newcomer's include file("../conf/example.conf"), relative to the working folder, not to the
     * including file, loaded nothing and the run failed later on "database.table: missing").
     */
    @Test
    void anIncludeThatNamesNoFileIsAnErrorNamingItAndTheRule() throws Exception {
        Files.writeString(dir.resolve("base.conf"), VALID);
        // beside the including file, and by an absolute path: read
        Path beside = dir.resolve("beside.conf");
        Files.writeString(beside, "include \"base.conf\"\ncustom.folds = 5\n");
        assertEquals(5, ExperimentConfig.load(beside).custom().getInt("folds"));
        Path absolute = dir.resolve("absolute.conf");
        Files.writeString(absolute, "include file(\"" + dir.resolve("base.conf") + "\")\n");
        assertEquals("runs", ExperimentConfig.load(absolute).table());
        // a relative file() that the working folder does not hold, and a name not beside the file
        Path relative = dir.resolve("relative.conf");
        Files.writeString(relative, "include file(\"../no-such-folder/base.conf\")\n");
        String m = assertThrows(InvalidConfigException.class, () -> ExperimentConfig.load(relative))
                .getMessage();
        assertTrue(m.startsWith(relative + ": include file(\"../no-such-folder/base.conf\"): no such file /"), m);
        assertTrue(m.contains("taken from the working folder"), m);
        Path missing = dir.resolve("missing.conf");
        Files.writeString(missing, "include \"other.conf\"\n" + VALID);
        m = assertThrows(InvalidConfigException.class, () -> ExperimentConfig.load(missing))
                .getMessage();
        assertTrue(m.startsWith(missing + ": include \"other.conf\": found no such file beside the including file"), m);
    }

    @Test
    void aBraceLeftOpenIsSaidSo() throws Exception {
        String m = error("database { table = runs }\nkeyfields {\n  k { type = int, values = [1, 2] }\n");
        assertTrue(m.endsWith("end of file (the file ends inside a '{', '[' or '(' that is not closed)"), m);
    }

    @Test
    void sparkSettingsAreTheSameKeysQuotedOrNot() throws Exception {
        ExperimentConfig c = ExperimentConfig.load(
                write(VALID + "spark.conf { \"spark.ui.enabled\" = false, spark.executor.memory = 2g }\n"));
        assertEquals(java.util.Map.of("spark.ui.enabled", "false", "spark.executor.memory", "2g"), c.sparkConf());
    }

    @Test
    void aValidConfigIsReadWithDefaultsAndFieldsInFileOrder() throws Exception {
        ExperimentConfig c = ExperimentConfig.load(write(VALID));
        assertEquals("runs", c.table());
        assertEquals("jdbc:sqlite:results/experiments.db", c.url());
        assertEquals(List.of("dataset", "seed", "lr"), c.keyfieldNames());
        assertEquals(List.of("accuracy", "n"), List.copyOf(c.resultfields().keySet()));
        assertEquals(FieldType.LONG, c.resultfields().get("n"));
        assertEquals(List.of(0, 1, 2, 3, 4), c.keyfield("seed").values());
        assertEquals(List.of(0.1, 0.2, 0.3), c.keyfield("lr").values());
        assertEquals(2 * 5 * 3, c.grid().size());
        assertEquals(3, c.custom().getInt("folds"));
        assertEquals("local[*]", c.sparkMaster());
        assertEquals(4, c.missedBeats());
    }

    @Test
    void thePasswordComesFromTheEnvironmentThroughSubstitution() throws Exception {
        // PATH is set in every environment; any variable shows that substitution reaches it
        ExperimentConfig c = ExperimentConfig.load(write(VALID + "database.password = ${?PATH}\n"));
        assertEquals(System.getenv("PATH"), c.password());
        ExperimentConfig none = ExperimentConfig.load(write(VALID + "database.password = ${?NO_SUCH_VARIABLE_HERE}\n"));
        assertEquals("", none.password());
    }

    @Test
    void anUnknownTypeNamesFileLineAndKey() throws Exception {
        String m = error(VALID.replace("type = int", "type = integer"));
        assertTrue(m.startsWith(dir.resolve("exp.conf") + ": 4: keyfields.seed.type: unknown type 'integer'"), m);
    }

    @Test
    void anEmptyValueListIsRefused() throws Exception {
        String m = error(VALID.replace("values = [iris, wine]", "values = []"));
        assertTrue(m.contains(": 3: keyfields.dataset.values: empty value list"), m);
    }

    @Test
    void aRangeWithStepZeroIsRefused() throws Exception {
        String m = error(VALID.replace("step = 0.1", "step = 0"));
        assertTrue(m.contains(": 5: keyfields.lr.values.step: step 0 never reaches stop"), m);
    }

    @Test
    void aRangeThatNeverReachesStopIsRefused() throws Exception {
        String m = error(VALID.replace("start = 0, stop = 5", "start = 5, stop = 0"));
        assertTrue(m.contains("keyfields.seed.values: range from 5 by 1 never reaches stop 0"), m);
    }

    @Test
    void aFractionalRangeOfIntegersIsRefused() throws Exception {
        String m = error(VALID.replace("start = 0, stop = 5", "start = 0, stop = 5, step = 0.5"));
        assertTrue(m.contains("keyfields.seed.values: a range of int needs whole numbers"), m);
    }

    @Test
    void aNameUsedTwiceIsRefused() throws Exception {
        String m = error(VALID.replace("accuracy = double", "seed = double"));
        assertTrue(m.contains("resultfields.seed: duplicate name 'seed': already declared as a keyfield"), m);
    }

    @Test
    void aBuiltInColumnNameIsRefused() throws Exception {
        String m = error(VALID.replace("accuracy = double", "status = double"));
        assertTrue(m.contains("resultfields.status: 'status' is a built-in column"), m);
    }

    @Test
    void anUnsafeIdentifierIsRefused() throws Exception {
        String m = error(VALID.replace("accuracy = double", "\"acc; DROP TABLE x\" = double"));
        assertTrue(m.contains("is not a safe SQL identifier"), m);
        String reserved = error(VALID.replace("accuracy = double", "select = double"));
        assertTrue(reserved.contains("'select' is a reserved SQL word"), reserved);
    }

    @Test
    void aMissingTableNameIsRefused() throws Exception {
        String m = error(VALID.replace("database { table = runs }", ""));
        assertTrue(m.contains("exp.conf: database.table: missing"), m);
    }

    @Test
    void aValueOfTheWrongTypeInAListNamesItsIndex() throws Exception {
        String m = error(VALID.replace("keyfields {", "keyfields {\n  extra { type = int, values = [1, two] }"));
        assertTrue(m.contains("keyfields.extra.values[1]: expected int, found string"), m);
    }

    @Test
    void aSettingOfTheWrongTypeNamesTheKey() throws Exception {
        String m = error(VALID + "execution.partitions = many\n");
        assertTrue(m.contains("exp.conf: 9: execution.partitions has type STRING rather than NUMBER"), m);
        String beats = error(VALID + "lease.missed-beats = 2\n");
        assertTrue(beats.contains("lease.missed-beats: must be at least 4"), beats);
    }

    @Test
    void aSyntaxErrorNamesTheLine() throws Exception {
        String m = error(VALID + "keyfields { broken = [ }\n");
        assertTrue(m.contains("exp.conf: 9: List should have ]"), m);
    }

    @Test
    void aMissingExperimentClassIsRefused() throws Exception {
        Experimenter ex = Experimenter.load(write(VALID + "experiment-class = com.example.Missing\n"));
        String m = assertThrows(InvalidConfigException.class, ex::experimentFromConfig)
                .getMessage();
        assertTrue(m.contains("experiment-class: class com.example.Missing not found"), m);
    }

    @Test
    void aClassThatIsNotAnExperimentIsRefused() throws Exception {
        String name = Experiments.NotAnExperiment.class.getName();
        Experimenter ex = Experimenter.load(write(VALID + "experiment-class = \"" + name + "\"\n"));
        String m = assertThrows(InvalidConfigException.class, ex::experimentFromConfig)
                .getMessage();
        assertTrue(m.contains("does not implement org.experimenter.Experiment"), m);
    }

    @Test
    void aNonSerializableExperimentIsRefused() throws Exception {
        String name = Experiments.HoldsAThread.class.getName();
        Experimenter ex = Experimenter.load(write(VALID + "experiment-class = \"" + name + "\"\n"));
        String m = assertThrows(InvalidConfigException.class, ex::experimentFromConfig)
                .getMessage();
        assertTrue(m.contains("is not serializable: it holds a java.lang.Thread"), m);
    }

    @Test
    void aDatabaseUrlWithoutADialectIsRefused() throws Exception {
        String m = error(VALID + "database.url = \"jdbc:oracle:thin:@db:1521/runs?password=secret\"\n");
        assertEquals(
                dir.resolve("exp.conf")
                        + ": 9: database.url: expected a jdbc:postgresql:, jdbc:sqlite:, jdbc:mariadb: or jdbc:mysql: URL",
                m);
    }

    @Test
    void aPasswordInTheUrlsUserInfoIsRefusedWithoutShowingIt() throws Exception {
        for (String url : List.of(
                "jdbc:mariadb://rootx:S3kritD4@127.0.0.1:3306/test",
                // MariaDB's failover schemes: the driver's message would quote the password as a port
                "jdbc:mariadb:sequential://rootx:S3kritD4@127.0.0.1:3306/test",
                "jdbc:mariadb:replication://rootx:S3kritD4@127.0.0.1:3306,127.0.0.2/test")) {
            String m = error(VALID + "database.url = \"" + url + "\"\n");
            assertEquals(
                    dir.resolve("exp.conf")
                            + ": 9: database.url: put the user and password in database.user and database.password,"
                            + " not in the URL (user@host)",
                    m,
                    url);
            assertTrue(!m.contains("S3kritD4"), m);
        }
    }

    @Test
    void theSettingsSurviveJavaSerializationAsSparkShipsThem() throws Exception {
        ExperimentConfig c = ExperimentConfig.load(write(VALID + "spark.conf { \"spark.ui.enabled\" = false }\n"));

        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(c);
        }
        ExperimentConfig copy;
        try (java.io.ObjectInputStream in =
                new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (ExperimentConfig) in.readObject();
        }

        assertEquals(c.keyfieldNames(), copy.keyfieldNames());
        assertEquals(c.keyfield("lr").values(), copy.keyfield("lr").values());
        assertEquals(c.resultfields(), copy.resultfields());
        assertEquals(c.sparkConf(), copy.sparkConf());
        assertEquals(3, copy.custom().getInt("folds"));
        assertEquals(c.leaseTimeout(), copy.leaseTimeout());
    }

    @Test
    void overridesReplaceSettingsAndKeepTheFieldOrderOfTheFile() throws Exception {
        ExperimentConfig c =
                ExperimentConfig.load(write(VALID.replace("accuracy = double, n = long", "z = double, a = long")));

        ExperimentConfig other = c.withOverrides(java.util.Map.of("database.table", "runs2", "max-attempts", 5));

        assertEquals("runs2", other.table());
        assertEquals(5, other.maxAttempts());
        assertEquals(List.of("dataset", "seed", "lr"), other.keyfieldNames());
        assertEquals(List.of("z", "a"), List.copyOf(other.resultfields().keySet()));
        assertEquals(c.origin(), other.origin());
    }

    @Test
    void aMissingFileIsNamed() {
        String m = assertThrows(InvalidConfigException.class, () -> ExperimentConfig.load(dir.resolve("nope.conf")))
                .getMessage();
        assertTrue(m.endsWith("nope.conf: no such config file"), m);
    }
}
