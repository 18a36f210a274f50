package org.experimenter.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.experimenter.Experimenter;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The events file read when a command exits, by run-one on SQLite ({@code
 * src/test/resources/command/events.py} writes its events at once and exits, long before the
 * 30 s stream interval): a burst of any size is read line by line, a line over the limit fails
 * the row saying so, and what a command flushed before it failed is in its row.
 */
class CommandEventsTest {
    @TempDir
    Path dir;

    private Map<String, Object> run(String what) {
        return run(what, "60s");
    }

    private Map<String, Object> run(String what, String timeout) {
        Experimenter ex = Experimenter.of(TestDb.SQLITE.config(
                dir,
                TestDb.uniqueTable("command_events"),
                "keyfields { what { type = string, values = [burst] } }\n"
                        + "resultfields { echo = string, phase = string }\ntimeout = " + timeout + "\n"
                        + "experiment {\n  stream-interval = 30s\n  run-dir = \"" + dir.resolve("runs") + "\"\n"
                        + "  command = [\"" + CommandExperimentContractTest.python() + "\", \""
                        + CommandExperimentContractTest.script("events.py") + "\", \"{what}\"]\n}\n"));
        return ex.runOne(Map.of("what", what), ex.experimentFromConfig());
    }

    @Test
    void aBurstOfEventsLargerThanSixtyFourMegabytesIsReadWhole() {
        Map<String, Object> row = run("burst");
        assertEquals("done", row.get("status"), String.valueOf(row.get("error")));
        assertEquals("last", row.get("phase"));
    }

    @Test
    void aLineOverTheLimitFailsTheRowNamingItAndTheResultsBeforeItAreKept() {
        Map<String, Object> row = run("long_line");
        assertEquals("error", row.get("status"));
        String error = String.valueOf(row.get("error"));
        assertTrue(error.startsWith("events file "), error);
        assertTrue(error.contains("events.jsonl, line 2: longer than 16 MB"), error);
        assertEquals("before the long line", row.get("phase"));
    }

    @Test
    void resultsACommandFlushedBeforeItFailedAreInItsRow() {
        Map<String, Object> row = run("fail");
        assertEquals("error", row.get("status"));
        assertTrue(String.valueOf(row.get("error")).startsWith("the command exited with code 3"));
        assertEquals("before failing", row.get("phase"));
    }

    @Test
    void resultsACommandFlushedBeforeItsTimeoutAreInItsRow() {
        Map<String, Object> row = run("hang", "2s");
        assertEquals("error", row.get("status"));
        assertTrue(String.valueOf(row.get("error")).startsWith("timeout: "), String.valueOf(row.get("error")));
        assertEquals("before the timeout", row.get("phase"));
    }
}
