package org.experimenter.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.experimenter.Experimenter;
import org.experimenter.RunSummary;
import org.experimenter.Status;
import org.experimenter.store.ExperimentStore;
import org.experimenter.testing.Faults;
import org.experimenter.testing.TestDb;
import org.experimenter.testing.TestSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command experiment, a real Python process per row ({@code src/test/resources/command/cases.py}),
 * run through Spark local mode on each database: one row per behaviour (results, events streamed
 * while it runs, a non-zero exit, results flushed just before a non-zero exit, a signal, a timeout with a grandchild that ignores SIGTERM,
 * huge stderr, no or malformed result file, undeclared and mistyped fields, a bad event line,
 * a pause, a process left behind, unicode). Each ends its row as it should; no process outlives it.
 */
abstract class CommandExperimentContractTest {
    static final String UNICODE = "unicode ✓ café 日本";

    @TempDir
    Path dir;

    abstract TestDb db();

    /** Debian's python3 where it is (CI installs packages for it), else the one on PATH. */
    static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    static Path script(String name) {
        return Path.of("src", "test", "resources", "command", name).toAbsolutePath();
    }

    @Test
    void eachBehaviourOfACommandEndsItsRowAsItShouldAndNoProcessOutlivesItsRow() throws Exception {
        String table = TestDb.uniqueTable("command");
        Path runs = dir.resolve("runs");
        String hocon = String.join(
                "\n",
                "keyfields { what { type = string, values = [ok, stream, exit3, flushed_then_exit, signal, tree,",
                "  huge_stderr, no_result,",
                "  malformed, undeclared, mistyped, bad_event, paused, leftover, \"" + UNICODE + "\"] } }",
                "resultfields { score = double, count = int, echo = string, phase = string }",
                "logtables { steps { step = int, loss = double } }",
                "custom { greeting = hello }",
                "experiment {",
                "  command = [\"" + python() + "\", \"" + script("cases.py")
                        + "\", \"--what\", \"{what}\", \"{args}\"]",
                "  stream-interval = 200ms",
                "  kill-grace = 3s",
                "  run-dir = \"" + runs + "\"",
                "}",
                "timeout = 10s",
                "");
        Experimenter ex = Experimenter.of(db().config(dir, table, hocon));
        ExperimentStore store = TestDb.store(ex);
        assertEquals(15, ex.fill());
        ExecutorService background = Executors.newSingleThreadExecutor();
        try {
            Future<RunSummary> run = background.submit(() -> ex.run(TestSpark.session()));

            // streamed while the process runs: the log rows and the intermediate result are in the
            // table while the row is still running, and the process waits for the test to release it
            long stream = id(store, "stream");
            Faults.await(
                    "the log rows and the intermediate result of the running stream row",
                    Duration.ofSeconds(180), // the first Spark session of a test JVM may take a minute to start
                    () -> {
                        Map<String, Object> r = store.row(stream);
                        return "running".equals(r.get("status"))
                                        && "half way".equals(r.get("phase"))
                                        && store.logRows("steps", stream).size() == 3
                                ? true
                                : null;
                    });
            Files.createFile(scratch(runs, table, stream).resolve("release"));
            RunSummary summary = run.get(180, TimeUnit.SECONDS);
            System.out.println(summary);
            for (Map<String, Object> r : store.rows()) {
                String e = String.valueOf(r.get("error"));
                System.out.printf(
                        "  %-20s %-7s %s%n",
                        r.get("what"), r.get("status"), e.length() > 300 ? e.substring(0, 300) + "..." : e);
            }

            long ok = id(store, "ok");
            Map<String, Object> okRow = store.row(ok);
            assertEquals("done", okRow.get("status"), String.valueOf(okRow.get("error")));
            assertEquals(2.5, okRow.get("score"));
            assertEquals(1, okRow.get("count"), "the attempt the script was told");
            assertEquals(Long.toString(ok), okRow.get("echo"), "the id the script was told");
            assertEquals("hello", okRow.get("phase"), "the custom section reaches the script");
            assertTrue(Files.readString(attempt(runs, table, ok).resolve("stdout.txt"))
                    .contains("hello from ok"));

            Map<String, Object> streamRow = store.row(stream);
            assertEquals("done", streamRow.get("status"), String.valueOf(streamRow.get("error")));
            assertEquals("finished", streamRow.get("phase"));
            assertEquals(1.0, streamRow.get("score"));
            List<Map<String, Object>> steps = store.logRows("steps", stream);
            assertEquals(3, steps.size(), steps.toString());
            assertEquals(2, steps.get(2).get("step"));
            assertEquals(1.0 / 3, (Double) steps.get(2).get("loss"), 1e-12);

            assertError(store, "exit3", "the command exited with code 3: ", "something went wrong on purpose");
            assertError(store, "flushed_then_exit", "the command exited with code 4: ", "");
            assertEquals(
                    "flushed before failing",
                    store.row(id(store, "flushed_then_exit")).get("phase"),
                    "what the command flushed before it failed stays in its row");
            String killed = assertError(
                    store, "signal", "the command was killed by signal 9 (SIGKILL), exit code 137", "about to die");
            // killed by itself with SIGKILL, as kill -9: no OOM kill of the kernel's meanwhile, so no sign of memory
            assertEquals("exception", store.row(id(store, "signal")).get("error_kind"), killed);
            assertTrue(killed.contains("not out of memory"), killed);

            long tree = id(store, "tree");
            assertError(store, "tree", "timeout: experiment " + tree, "");
            Path treeScratch = scratch(runs, table, tree);
            // a timed-out row is given up at once and its thread ends its tree meanwhile (SIGTERM, the
            // 3 s kill grace, SIGKILL): the run may end first, so the test waits for that end
            Faults.await(
                    "the timed-out row's grandchild noting its SIGTERM",
                    Duration.ofSeconds(60),
                    () -> Files.exists(treeScratch.resolve("grandchild-got-sigterm")) ? true : null);
            for (String pid :
                    Files.readString(treeScratch.resolve("pids")).trim().split(" ")) {
                Faults.await(
                        "process " + pid + " of the timed-out row gone",
                        Duration.ofSeconds(60),
                        () -> running(Long.parseLong(pid)) ? null : true);
            }

            String huge =
                    assertError(store, "huge_stderr", "the command exited with code 1", "the last line of stderr");
            assertTrue(huge.length() < 70_000, "the error holds the end of stderr only: " + huge.length());
            assertTrue(huge.contains("last 64 KB of "
                    + attempt(runs, table, id(store, "huge_stderr")).resolve("stderr.txt")));
            assertTrue(
                    Files.size(attempt(runs, table, id(store, "huge_stderr")).resolve("stderr.txt")) > 5_000_000,
                    "all of stderr is kept in its file");

            assertError(store, "no_result", "the command exited with code 0 but wrote no result file ", "");
            assertError(
                    store,
                    "malformed",
                    "result file "
                            + attempt(runs, table, id(store, "malformed")).resolve("result.json") + ": malformed JSON",
                    "");
            assertError(
                    store, "undeclared", "result file ", "result field 'not_a_field' is not declared in resultfields");
            assertError(store, "mistyped", "result file ", "result field 'count': expected int, found String three");
            long badEvent = id(store, "bad_event");
            assertError(
                    store,
                    "bad_event",
                    "events file " + attempt(runs, table, badEvent).resolve("events.jsonl")
                            + ", line 2: malformed JSON",
                    "");
            assertTrue((Double) store.row(badEvent).get("wall_time") < 8, "a bad event ends the process at once");
            assertEquals(1, store.logRows("steps", badEvent).size(), "the good line before the bad one was written");

            long paused = id(store, "paused");
            assertEquals(
                    "paused",
                    store.row(paused).get("status"),
                    String.valueOf(store.row(paused).get("error")));
            assertEquals(
                    "epoch 7", Files.readString(scratch(runs, table, paused).resolve("checkpoint")));

            long leftover = id(store, "leftover");
            assertEquals(
                    "done",
                    store.row(leftover).get("status"),
                    String.valueOf(store.row(leftover).get("error")));
            long sleeper = Long.parseLong(
                    Files.readString(scratch(runs, table, leftover).resolve("pids"))
                            .trim());
            assertFalse(running(sleeper), "the process the command left behind ended with its row");
            // by the tool's SIGTERM, with its grace: the watcher of the JVM's pipe, which sees the
            // pipe end as the command exits, leaves a tree to the living JVM
            assertTrue(
                    Files.exists(scratch(runs, table, leftover).resolve("leftover-got-sigterm")),
                    "the process the command left behind got SIGTERM first");

            long unicode = id(store, UNICODE);
            Map<String, Object> u = store.row(unicode);
            assertEquals("done", u.get("status"), String.valueOf(u.get("error")));
            assertEquals(UNICODE + " ✓", u.get("echo"));
            assertEquals("ünïcödé", u.get("phase"));
            assertTrue(Files.readString(attempt(runs, table, unicode).resolve("stdout.txt"))
                    .contains("stdout: " + UNICODE));
            assertTrue(Files.readString(attempt(runs, table, unicode).resolve("stderr.txt"))
                    .contains("stderr: " + UNICODE));

            assertEquals(4, summary.count(Status.DONE), summary.toString());
            assertEquals(1, summary.count(Status.PAUSED), summary.toString());
            assertEquals(10, summary.count(Status.ERROR), summary.toString());
        } finally {
            background.shutdownNow();
            ex.drop();
        }
    }

    private static String assertError(ExperimentStore store, String what, String start, String contains) {
        Map<String, Object> r = store.row(id(store, what));
        String error = String.valueOf(r.get("error"));
        assertEquals("error", r.get("status"), what + ": " + error);
        assertTrue(error.startsWith(start), what + ": " + error);
        assertTrue(error.contains(contains), what + ": " + error);
        return error;
    }

    static long id(ExperimentStore store, String what) {
        return store.idOf(new Object[] {what});
    }

    static Path scratch(Path runs, String table, long id) {
        return runs.resolve(table).resolve(Long.toString(id)).resolve("scratch");
    }

    static Path attempt(Path runs, String table, long id) {
        return runs.resolve(table).resolve(Long.toString(id)).resolve("attempt-1");
    }

    static boolean running(long pid) {
        return ProcessHandle.of(pid).map(ProcessTree::running).orElse(false);
    }
}
