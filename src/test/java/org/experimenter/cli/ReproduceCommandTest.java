package org.experimenter.cli;

import static org.experimenter.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.experimenter.Experiment;
import org.experimenter.ExperimentContext;
import org.experimenter.Experimenter;
import org.experimenter.Status;
import org.experimenter.store.ExperimentStore;
import org.experimenter.testing.TestDb;
import org.experimenter.testing.TestSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code experimenter reproduce} on a SQLite file: a row run again alone, beside the stored one. */
class ReproduceCommandTest {
    @TempDir
    Path dir;

    /** score = 10 id + x + custom offset: the rerun must see the stored row's id and the custom section. */
    public static final class IdScore implements Experiment {
        private static final long serialVersionUID = 1L;

        @Override
        public void run(ExperimentContext ctx) {
            int x = ctx.parameters().getInt("x");
            ctx.results()
                    .put("score", 10.0 * ctx.id() + x + ctx.custom().getDouble("offset"))
                    .put("label", "x" + x)
                    .put("n", x);
        }
    }

    private Path config(String table) throws Exception {
        Path conf = dir.resolve("reproduce.conf");
        Files.writeString(
                conf,
                String.join(
                        "\n",
                        "database { url = \"jdbc:sqlite:" + dir.resolve("reproduce.db") + "\", table = " + table + " }",
                        "keyfields {",
                        "  x { type = int, values = [1, 2, 3] }",
                        "  seed { type = int, values = [0, 1] }",
                        "}",
                        "resultfields { score = double, label = string, n = int }",
                        "custom { offset = 0.5 }",
                        "experiment-class = \"" + IdScore.class.getName() + "\"",
                        "spark { master = \"local[2]\", conf { \"spark.ui.enabled\" = false } }",
                        ""));
        return conf;
    }

    @Test
    void aRowRunAgainAloneMatchesTheStoredOneAndLeavesItUntouched() throws Exception {
        String table = TestDb.uniqueTable("repro");
        Path conf = config(table);
        Experimenter ex = Experimenter.load(conf);
        ex.fill();
        assertEquals(6, ex.run(TestSpark.session()).count(Status.DONE));
        ExperimentStore store = TestDb.store(ex);
        Map<String, Object> before = store.row(4);
        int attemptsBefore = store.attempts(4).size();

        String[] r = run("reproduce", "-c", conf.toString(), "--id", "4");
        assertEquals("0", r[0], r[1] + r[2]);
        String out = r[1];
        assertTrue(out.startsWith("experiment 4 of " + table + ": stored done, rerun done\n"), out);
        // id 4 is x = 2, seed = 1: 40 + 2 + 0.5
        assertTrue(out.contains("  score  42.5                    42.5                    +0.00000\n"), out);
        assertTrue(out.contains("  label  x2                      x2                      same\n"), out);
        assertTrue(out.contains("  n      2                       2                       +0\n"), out);
        // both runs record this checkout's commit (and whether its working tree is dirty)
        assertTrue(out.contains("  code version matches: "), out);
        assertTrue(out.endsWith("  reproduced: every result is the same\n"), out);
        assertEquals(before, store.row(4), "the stored row is untouched");
        assertEquals(attemptsBefore, store.attempts(4).size(), "no attempt is added to the stored row");
    }

    @Test
    void aStoredResultThatDiffersIsShownWithItsDifferenceAndExitCodeOne() throws Exception {
        String table = TestDb.uniqueTable("repro");
        Path conf = config(table);
        Experimenter ex = Experimenter.load(conf);
        ex.fill();
        ex.run(TestSpark.session());
        ExperimentStore store = TestDb.store(ex);
        try (Connection c = store.connect();
                Statement st = c.createStatement()) {
            st.execute("UPDATE " + table + " SET score = 1.5, label = 'other' WHERE id = 5");
            st.execute("UPDATE " + table + "__attempts SET code_version = 'abc123'");
        }
        String[] r = run("reproduce", "-c", conf.toString(), "--id", "5");
        assertEquals("1", r[0], r[1] + r[2]);
        // id 5 is x = 3: 50 + 3 + 0.5 = 53.5, stored 1.5
        assertTrue(r[1].contains("  score  1.5                     53.5                    +52.0000\n"), r[1]);
        assertTrue(r[1].contains("  label  other                   x3                      differs\n"), r[1]);
        // the rerun records the code version it ran (this checkout's commit), which is not the stored one
        assertTrue(r[1].contains("  code version differs: stored abc123"), r[1]);
        assertFalse(r[1].contains("now not recorded"), r[1]);
        assertTrue(r[1].endsWith("  not reproduced: results differ\n"), r[1]);

        String[] json = run("reproduce", "-c", conf.toString(), "--id", "5", "--json");
        assertEquals("1", json[0], json[2]);
        assertTrue(json[1].startsWith("{\"id\": 5, \"stored_status\": \"done\", \"rerun_status\": \"done\""), json[1]);
        assertTrue(
                json[1].contains("{\"field\": \"score\", \"stored\": 1.5, \"rerun\": 53.5, \"difference\": 52.0,"
                        + " \"same\": false}"),
                json[1]);
        assertTrue(json[1].contains("\"stored_code_version\": \"abc123"), json[1]);
    }

    @Test
    void aRowThatNeverRanOrDoesNotExistIsOneLine() throws Exception {
        String table = TestDb.uniqueTable("repro");
        Path conf = config(table);
        Experimenter ex = Experimenter.load(conf);
        ex.fill();
        String[] created = run("reproduce", "-c", conf.toString(), "--id", "2");
        assertEquals(
                List.of(
                        "1",
                        "error: experiment 2 of " + table + " is created: nothing stored to compare with; reproduce"
                                + " a row that is done, error or paused\n"),
                List.of(created[0], created[2]));
        String[] missing = run("reproduce", "-c", conf.toString(), "--id", "99");
        assertEquals("1", missing[0]);
        assertTrue(missing[2].startsWith("error: ") && missing[2].contains("has no experiment with id 99"), missing[2]);
    }
}
