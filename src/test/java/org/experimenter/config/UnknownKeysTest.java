// Keys that nothing reads fail the load, naming file, line and key and the known key meant;
// keys under the sections whose names are the user's pass.
package org.experimenter.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.experimenter.InvalidConfigException;
import org.experimenter.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnknownKeysTest {
    @TempDir
    Path dir;

    private static final String VALID = String.join(
            "\n",
            "database { table = runs }",
            "keyfields {",
            "  seed { type = int, values = { start = 0, stop = 3 } }",
            "}",
            "resultfields { accuracy = double }",
            "");

    private Path write(String text) throws Exception {
        return Files.writeString(dir.resolve("exp.conf"), text);
    }

    /** The message of loading text as exp.conf, which must fail. */
    private String error(String text) throws Exception {
        Path f = write(text);
        return assertThrows(InvalidConfigException.class, () -> ExperimentConfig.load(f))
                .getMessage();
    }

    private String at(int line) {
        return dir.resolve("exp.conf") + ": " + line + ": ";
    }

    @Test
    void aMisspeltSectionIsRefusedWithTheSectionMeant() throws Exception {
        String m = error(VALID.replace("resultfields {", "resultfield {"));
        assertEquals(at(5) + "resultfield: unknown key; did you mean resultfields?", m);
    }

    @Test
    void aMisspeltKeyInAKnownSectionIsRefusedBeforeTheKeyItMissesIsMissed() throws Exception {
        String m = error(VALID.replace("database { table = runs }", "database {\n  tabel = runs\n}"));
        assertEquals(at(2) + "database.tabel: unknown key; did you mean database.table?", m);
    }

    @Test
    void anUnknownNestedKeyIsRefusedAndOnlyACloseKeyIsSuggested() throws Exception {
        String far = error(VALID + "spark {\n  master = \"local[2]\"\n  ui { enabled = false }\n}\n");
        assertEquals(at(8) + "spark.ui: unknown key", far);

        String prefix = error(VALID + "lease.heartbeat = 2s\n");
        assertEquals(at(6) + "lease.heartbeat: unknown key; did you mean lease.heartbeat-interval?", prefix);

        String swapped = error(VALID + "execution { max-experiemnts = 3 }\n");
        assertEquals(
                at(6) + "execution.max-experiemnts: unknown key; did you mean execution.max-experiments?", swapped);
    }

    @Test
    void aMisspeltKeyOfAKeyfieldIsRefused() throws Exception {
        String m = error(VALID.replace("values = {", "vaules = [1], values = {"));
        assertEquals(at(3) + "keyfields.seed.vaules: unknown key; did you mean keyfields.seed.values?", m);
    }

    @Test
    void theFirstUnknownKeyInTheFileIsTheOneNamed() throws Exception {
        String m = error("timeuot = 5m\n" + VALID + "sparc { master = x }\n");
        assertEquals(at(1) + "timeuot: unknown key; did you mean timeout?", m);
    }

    @Test
    void keysUnderSectionsOfTheUsersOwnNamesAreAccepted() throws Exception {
        String text = VALID.replace("resultfields {", "resultfields { loss = double,")
                + String.join(
                        "\n",
                        "keyfields { any_name { type = string, values = [a, b] } }",
                        "logtables { epochs { epoch = int, loss_value = double } }",
                        "custom { anything { nested = [1, 2], deeper { x = y } }, top-level-ish = 3 }",
                        "spark.conf { \"spark.executor.memory\" = 2g, spark.ui.enabled = false }",
                        "database { user = someone, password = ${?NO_SUCH_VARIABLE_HERE} }",
                        "experiment-class = com.example.Exp",
                        "");

        ExperimentConfig c = ExperimentConfig.load(write(text));

        assertEquals(List.of("seed", "any_name"), c.keyfieldNames());
        assertEquals(List.of("epochs"), List.copyOf(c.logtables().keySet()));
        assertEquals(3, c.custom().getInt("top-level-ish"));
        assertEquals(Map.of("spark.executor.memory", "2g", "spark.ui.enabled", "false"), c.sparkConf());
    }

    @Test
    void theShippedExampleConfigLoads() {
        ExperimentConfig c = ExperimentConfig.load(Path.of("conf/example.conf"));
        assertEquals("knn_example", c.table());
    }

    @Test
    void anOverrideOfAnUnknownKeyIsRefused() throws Exception {
        ExperimentConfig c = ExperimentConfig.load(write(VALID));
        InvalidConfigException e =
                assertThrows(InvalidConfigException.class, () -> c.withOverrides(Map.of("database.tabel", "t2")));
        assertEquals("overrides: database.tabel: unknown key; did you mean database.table?", e.getMessage());
    }

    @Test
    void fillWithAnUnknownKeyPrintsOneLineExitsWith1AndCreatesNothing() throws Exception {
        Path db = dir.resolve("runs.db");
        Path conf =
                write(VALID.replace("resultfields {", "resultfield {") + "database.url = \"jdbc:sqlite:" + db + "\"\n");

        PrintStream err = System.err;
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            code = Main.execute("fill", "--config", conf.toString());
        } finally {
            System.setErr(err);
        }

        assertEquals(1, code);
        String expected = "error: " + at(5) + "resultfield: unknown key; did you mean resultfields?\n";
        assertEquals(expected, e.toString(StandardCharsets.UTF_8));
        assertFalse(Files.exists(db), "no database file was created");
    }

    @Test
    void editDistanceCountsASwapOfNeighboursAsOneEdit() {
        assertEquals(1, KnownKeys.distance("resultfield", "resultfields"));
        assertEquals(1, KnownKeys.distance("tabel", "table"));
        assertEquals(0, KnownKeys.distance("url", "url"));
        assertEquals(3, KnownKeys.distance("", "url"));
    }
}
