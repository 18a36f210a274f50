package org.experimenter.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import org.experimenter.Experimenter;
import org.experimenter.store.RunScope;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The live progress of a run: its line, its counts from a real table, terminal and log output. */
class ProgressTest {
    @TempDir
    Path dir;

    @Test
    void aLineSaysFinishedOfTotalRunningRateAndEta() {
        assertEquals(
                "t: 35/80 finished (43%), 34 done, 1 error, 2 running, 5.0/s, ETA 0:09",
                Progress.line("t", new Progress.Counts(34, 1, 2, 43), 7.0));
        assertEquals(
                "t: 1/10 finished (10%), 1 done, 0 errors, 0 running, 0.5/min, ETA 18:00",
                Progress.line("t", new Progress.Counts(1, 0, 0, 9), 120.0));
        assertEquals(
                "t: 0/4 finished (0%), 0 done, 0 errors, 2 running, rate -, ETA -",
                Progress.line("t", new Progress.Counts(0, 0, 2, 2), 3.0));
        assertEquals("1:02:05", Progress.duration(3725));
    }

    /** Ten rows x = 0..9 (ids 1..10), marked as a run in progress would leave them. */
    private Experimenter tableInProgress() throws Exception {
        Experimenter ex = Experimenter.of(TestDb.SQLITE.config(
                dir,
                TestDb.uniqueTable("progress"),
                "keyfields { x { type = int, values = { start = 0, stop = 10 } } }\nresultfields { s = double }\n"));
        ex.fill();
        try (Connection c = TestDb.store(ex).connect();
                Statement s = c.createStatement()) {
            String t = ex.config().table();
            s.executeUpdate("UPDATE " + t + " SET status = 'done', run_id = 'r1' WHERE x < 3");
            s.executeUpdate("UPDATE " + t + " SET status = 'error', run_id = 'r1' WHERE x = 3");
            s.executeUpdate("UPDATE " + t + " SET status = 'running', run_id = 'r1' WHERE x IN (4, 5)");
            s.executeUpdate("UPDATE " + t + " SET status = 'done', run_id = 'another' WHERE x = 6");
        }
        return ex;
    }

    @Test
    void countsAreThisRunsRowsAndTheOpenRowsOfItsScope() throws Exception {
        Experimenter ex = tableInProgress();
        Progress p = new Progress(
                TestDb.store(ex),
                "r1",
                RunScope.all().where(TestDb.store(ex).where("x < 9")),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                false,
                Duration.ofHours(1));
        Progress.Counts c;
        try {
            c = p.poll();
        } finally {
            p.close();
        }
        assertEquals(3, c.done);
        assertEquals(1, c.error);
        assertEquals(2, c.running);
        assertEquals(2, c.waiting, "x = 7 and 8 are open and in scope; x = 9 is out of scope, x = 6 another run's");
    }

    @Test
    void onATerminalTheLineIsRedrawnInPlace() throws Exception {
        Experimenter ex = tableInProgress();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress p = new Progress(
                TestDb.store(ex),
                "r1",
                RunScope.all(),
                new PrintStream(bytes, true, StandardCharsets.UTF_8),
                true,
                Duration.ofMillis(50));
        Thread.sleep(400);
        p.close();
        String out = bytes.toString(StandardCharsets.UTF_8);
        String table = ex.config().table();
        assertTrue(out.startsWith("\r" + table + ": 4/9 finished (44%), 3 done, 1 error, 2 running, "), out);
        assertTrue(out.split("\r", -1).length > 3, "redrawn several times: " + out);
        assertTrue(out.endsWith("\n") && out.indexOf('\n') == out.length() - 1, "one newline, at the end: " + out);
    }

    @Test
    void elsewhereEachUpdateIsALogLine() throws Exception {
        Experimenter ex = tableInProgress();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress p = new Progress(
                TestDb.store(ex),
                "r1",
                RunScope.all(),
                new PrintStream(bytes, true, StandardCharsets.UTF_8),
                false,
                Duration.ofMillis(50));
        Thread.sleep(300);
        p.close();
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertTrue(lines.length >= 2, String.join("\n", lines));
        for (String l : lines) {
            assertTrue(
                    l.matches("\\d\\d:\\d\\d:\\d\\d progress " + ex.config().table()
                            + ": 4/9 finished \\(44%\\), 3 done, 1 error, 2 running, .*/s, ETA .*"),
                    l);
        }
    }
}
