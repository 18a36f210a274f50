package org.experimenter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.experimenter.ExperimenterException;
import org.experimenter.FieldType;
import org.experimenter.grid.Parameter;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code promote} as a user types it, in-process, on a SQLite file. */
class PromoteCommandTest {
    @TempDir
    Path dir;

    String conf;
    String table;

    @BeforeEach
    void fillAndFinish() throws Exception {
        table = TestDb.uniqueTable("promote");
        Path file = dir.resolve("p.conf");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "database { url = \"jdbc:sqlite:" + dir.resolve("p.db") + "\", table = " + table + " }",
                        "keyfields {",
                        "  dataset { type = string, values = [a, b] }",
                        "  k { type = int, values = [1, 3] }",
                        "  seed { type = int, values = [0, 1] }",
                        "}",
                        "resultfields { accuracy = double }",
                        ""));
        conf = file.toString();
        assertEquals("0", MainTest.run("fill", "-c", conf)[0]);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("p.db"));
                Statement s = c.createStatement()) {
            s.execute("UPDATE " + table + " SET status = 'done', accuracy = k * 0.1 + seed * 0.01");
        }
    }

    @Test
    void aDryRunPrintsTheChoiceAndAddsNothingThenPromoteAddsOnceAndSaysSoTheSecondTime() {
        String[] dry = MainTest.run(
                "promote",
                "-c",
                conf,
                "--by",
                "dataset",
                "--top",
                "1",
                "--value",
                "accuracy",
                "--set",
                "seed=2..4",
                "--dry-run");
        assertEquals("0", dry[0], dry[2]);
        assertEquals(
                String.join(
                        "\n",
                        "stage 1, done rows: the best 1 per dataset by mean accuracy (highest first)",
                        "  dataset=a, k=3: mean 0.3050 over 2 rows (rank 1, parent row 3)",
                        "  dataset=b, k=3: mean 0.3050 over 2 rows (rank 1, parent row 7)",
                        "dry run: would add 6 rows: 2 configurations x 3 values of seed (2..4) at stage 2",
                        ""),
                dry[1]);
        String[] first = MainTest.run(
                "promote", "-c", conf, "--by", "dataset", "--top", "1", "--value", "accuracy", "--set", "seed=2..4");
        assertTrue(
                first[1].endsWith("added 6 rows: 2 configurations x 3 values of seed (2..4) at stage 2\n"), first[1]);
        String[] again = MainTest.run(
                "promote", "-c", conf, "--by", "dataset", "--top", "1", "--value", "accuracy", "--set", "seed=2..4");
        assertEquals("0", again[0]);
        assertTrue(
                again[1].endsWith("added nothing: the 6 rows of 2 configurations x 3 values of seed (2..4) at stage 2"
                        + " are in the table already (promote again adds nothing)\n"),
                again[1]);
        String[] used = MainTest.run(
                "promote", "-c", conf, "--by", "dataset", "--top", "1", "--value", "accuracy", "--set", "seed=1,5");
        assertEquals("1", used[0]);
        assertEquals(
                "error: --set seed: dataset=a, k=3 already has rows with seed 1 (stage 1) (so has 1 more"
                        + " configuration); give values none of the promoted configurations has used; nothing was"
                        + " added\n",
                used[2]);
        String[] none = MainTest.run(
                "promote", "-c", conf, "--top", "1", "--value", "accuracy", "--where", "k = 99", "--set", "seed=7");
        assertEquals("1", none[0]);
        assertEquals(
                "error: nothing to promote: no done row of stage 1 matching --where \"k = 99\" has a value of"
                        + " accuracy\n",
                none[2]);
    }

    @Test
    void evalAndExportSelectAStage() throws Exception {
        MainTest.run(
                "promote", "-c", conf, "--by", "dataset", "--top", "1", "--value", "accuracy", "--set", "seed=2..4");
        String[] exported = MainTest.run(
                "export", "-c", conf, "--output", dir.resolve("out").toString(), "--format", "csv", "--stage", "2");
        assertEquals("0", exported[0], exported[2]);
        assertTrue(
                exported[1].startsWith("wrote " + dir.resolve("out").resolve(table + ".csv") + " (6 rows)"),
                exported[1]);
        String[] grid = MainTest.run(
                "eval", "-c", conf, "--stage", "1", "--where", "k = 3", "--fields", "accuracy", "--stats", "count");
        assertEquals("0", grid[0], grid[2]);
        assertTrue(grid[1].contains("a        3               2"), grid[1]);
        String[] none = MainTest.run("eval", "-c", conf, "--stage", "2");
        assertEquals("1", none[0]);
        assertEquals(
                "error: nothing to evaluate: table " + table + " has no done rows in stage 2 (6 created)\n", none[2]);
    }

    @Test
    void setValuesAreRangesWithBothEndsListsOrBoth() {
        Parameter seed = new Parameter("seed", FieldType.INT, List.of(0));
        assertEquals(List.of(5, 6, 7), PromoteCommand.values(seed, "5..7"));
        assertEquals(List.of(0, 1, 2, 10), PromoteCommand.values(seed, "0..2, 10, 1"));
        Parameter name = new Parameter("name", FieldType.STRING, List.of("a"));
        assertEquals(List.of("x..y", "z"), PromoteCommand.values(name, "x..y,z"));
        assertEquals(
                "--set seed=7..5: a range goes up from its first value to its last, at most 1,000,000 values",
                assertThrows(ExperimenterException.class, () -> PromoteCommand.values(seed, "7..5"))
                        .getMessage());
        assertEquals(
                "--set seed=x: expected int, found 'x'",
                assertThrows(ExperimenterException.class, () -> PromoteCommand.values(seed, "x"))
                        .getMessage());
    }

    /**
     * A range at the top of a long keyfield ended (the loop's counter wrapped past the largest long
     * and went on for ever), and one over the whole long range passed the size check (its length
     * overflowed to -1).
     */
    @Test
    void rangesAtTheEndsOfALongKeyfieldEndOrAreRefused() {
        Parameter seed = new Parameter("seed", FieldType.LONG, List.of(0L));
        long max = Long.MAX_VALUE;
        assertEquals(
                List.of(max - 2, max - 1, max),
                assertTimeoutPreemptively(
                        java.time.Duration.ofSeconds(10), () -> PromoteCommand.values(seed, (max - 2) + ".." + max)));
        String whole = Long.MIN_VALUE + ".." + max;
        assertEquals(
                "--set seed=" + whole + ": a range goes up from its first value to its last, at most 1,000,000 values",
                assertThrows(
                                ExperimenterException.class,
                                () -> assertTimeoutPreemptively(
                                        java.time.Duration.ofSeconds(10), () -> PromoteCommand.values(seed, whole)))
                        .getMessage());
    }

    /**
     * NaN parsed as a double keyfield value and was bound as no value: the new rows failed the
     * keyfield's NOT NULL at insert with the database's message; infinities (1e400 too) are not
     * stored by MariaDB. Refused as the option's value now (run-one --set and rows files share
     * FieldType.parse).
     */
    @Test
    void aDoubleKeyfieldTakesFiniteValuesOnly() {
        Parameter lr = new Parameter("lr", FieldType.DOUBLE, List.of(0.1));
        assertEquals(List.of(0.5, 1e300), PromoteCommand.values(lr, "0.5, 1e300"));
        for (String bad : List.of("NaN", "Infinity", "-Infinity", "1e400")) {
            assertEquals(
                    "--set lr=" + bad + ": expected a finite double, found '" + bad + "'",
                    assertThrows(ExperimenterException.class, () -> PromoteCommand.values(lr, bad))
                            .getMessage());
        }
    }
}
