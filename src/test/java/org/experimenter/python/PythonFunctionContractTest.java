package org.experimenter.python;

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
 * A Python function written for PyExperimenter ({@code src/test/resources/python/cases.py}),
 * called by real long-lived workers through Spark local mode on each database: one row per
 * behaviour (results written while the function runs, log rows, a pause, an exception, a worker
 * that exits or is killed, a timeout with a child that ignores SIGTERM, undeclared and mistyped
 * fields). Each ends its row as it should, and only a worker that died or was ended is replaced.
 */
abstract class PythonFunctionContractTest {
    @TempDir
    Path dir;

    abstract TestDb db();

    /** Debian's python3, which has the Debian packages (scikit-learn) installed for it. */
    static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    static Path resource(String name) {
        return Path.of("src", "test", "resources", "python", name).toAbsolutePath();
    }

    static String pythonBlock(String function, Path runs, Path pids, String extra) {
        return String.join(
                "\n",
                "experiment {",
                "  python {",
                "    function = \"" + function + "\"",
                "    interpreter = \"" + python() + "\"",
                "    environment { CASES_PIDS = \"" + pids + "\" }",
                extra,
                "  }",
                "  kill-grace = 1s",
                "  run-dir = \"" + runs + "\"",
                "}");
    }

    @Test
    void eachBehaviourOfAFunctionEndsItsRowAsItShouldAndOnlyBrokenWorkersAreReplaced() throws Exception {
        String table = TestDb.uniqueTable("python");
        Path runs = dir.resolve("runs");
        Path pids = dir.resolve("pids.txt");
        String hocon = String.join(
                "\n",
                "keyfields { what { type = string, values = [ok1, stream, paused, raise, ok2, exit3, ok3, sigkill,",
                "  tree, undeclared, mistyped, stopping, helper, fork_exit, ok4] } }",
                "resultfields { score = double, count = int, echo = string, phase = string, pid = int }",
                "logtables { steps { step = int, loss = double } }",
                "custom { greeting = hello }",
                pythonBlock(resource("cases.py") + ":run", runs, pids, ""),
                "timeout = 10s", // long enough for the test to see the stream row and release it on a loaded machine
                "");
        Experimenter ex = Experimenter.of(db().config(dir, table, hocon));
        ExperimentStore store = TestDb.store(ex);
        assertEquals(15, ex.fill());
        ExecutorService background = Executors.newSingleThreadExecutor();
        try {
            Future<RunSummary> run = background.submit(() -> ex.run(TestSpark.session()));

            // process_results and process_logs are in the table while the function still runs
            long stream = id(store, "stream");
            Faults.await("the results and log rows of the running stream row", Duration.ofSeconds(180), () -> {
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
                        "  %-12s %-7s %s%n",
                        r.get("what"), r.get("status"), e.length() > 300 ? e.substring(0, 300) : e);
            }
            List<String[]> calls =
                    Files.readAllLines(pids).stream().map(l -> l.split(" ")).toList();
            System.out.println("calls: " + Files.readAllLines(pids));

            for (String ok : List.of("ok1", "ok2", "ok3", "ok4")) {
                long id = id(store, ok);
                Map<String, Object> r = store.row(id);
                assertEquals("done", r.get("status"), ok + ": " + r.get("error"));
                assertEquals(2.5, r.get("score"), "experimenter.result() is written with the row's end");
                assertEquals(1, r.get("count"), "the attempt the function was told");
                assertEquals(Long.toString(id), r.get("echo"), "the id the function was told");
                assertEquals("hello", r.get("phase"), "the custom section is the function's custom_config");
                String out = Files.readString(attempt(runs, table, id).resolve("stdout.txt"));
                assertTrue(out.contains("hello from " + ok), out);
                assertTrue(out.contains("raw bytes on fd 1") && out.contains("a child's stdout"), out);
                assertTrue(Files.readString(attempt(runs, table, id).resolve("stderr.txt"))
                        .contains("to stderr"));
            }

            Map<String, Object> streamRow = store.row(stream);
            assertEquals("done", streamRow.get("status"), String.valueOf(streamRow.get("error")));
            assertEquals("finished", streamRow.get("phase"));
            List<Map<String, Object>> steps = store.logRows("steps", stream);
            assertEquals(3, steps.size(), steps.toString());
            assertEquals(1.0 / 3, (Double) steps.get(2).get("loss"), 1e-12);

            long paused = id(store, "paused");
            assertEquals(
                    "paused",
                    store.row(paused).get("status"),
                    String.valueOf(store.row(paused).get("error")));
            assertEquals(
                    "epoch 7", Files.readString(scratch(runs, table, paused).resolve("checkpoint")));

            String raised =
                    assertError(store, "raise", "Traceback (most recent call last):", "ValueError: Example error");
            assertTrue(raised.contains("cases.py"), raised);
            String raisePid = pidOf(calls, "raise");
            assertTrue(
                    callsAfter(calls, "raise").contains(raisePid),
                    "the worker that raised ran a later row: "
                            + calls.stream().map(c -> String.join(" ", c)).toList());

            assertError(
                    store,
                    "exit3",
                    "the Python worker (pid " + pidOf(calls, "exit3") + ") exited with code 3",
                    "about to exit");
            assertFalse(
                    callsAfter(calls, "exit3").contains(pidOf(calls, "exit3")),
                    "a worker that exited ran no more rows");
            assertError(
                    store,
                    "sigkill",
                    "the Python worker (pid " + pidOf(calls, "sigkill") + ") was killed by signal 9 (SIGKILL)",
                    "about to die");
            assertFalse(callsAfter(calls, "sigkill").contains(pidOf(calls, "sigkill")));

            long forked = id(store, "fork_exit");
            assertError(
                    store,
                    "fork_exit",
                    "the Python worker (pid " + pidOf(calls, "fork_exit") + ") exited with code 4",
                    "");
            assertTrue((Double) store.row(forked).get("wall_time") < 5, "seen at once, not at the timeout");
            long forkedChild =
                    Long.parseLong(Files.readString(scratch(runs, table, forked).resolve("pids"))
                            .trim());
            assertFalse(running(forkedChild), "the forked child ended with its worker");

            long tree = id(store, "tree");
            assertError(store, "tree", "timeout: experiment " + tree, "");
            for (String pid : Files.readString(scratch(runs, table, tree).resolve("pids"))
                    .trim()
                    .split(" ")) {
                // given up at once, the row's worker is ended meanwhile (SIGTERM, kill grace, SIGKILL)
                Faults.await(
                        "process " + pid + " of the timed-out row gone",
                        Duration.ofSeconds(60),
                        () -> running(Long.parseLong(pid)) ? null : true);
            }
            assertFalse(
                    callsAfter(calls, "tree").contains(pidOf(calls, "tree")), "a timed-out worker ran no more rows");

            assertError(store, "undeclared", "Traceback", "result field 'not_a_field' is not declared in resultfields");
            assertError(store, "mistyped", "Traceback", "result field 'count': expected int, found String three");
            assertEquals("stopping=False", store.row(id(store, "stopping")).get("phase"));
            long helper = id(store, "helper");
            assertEquals("paused", store.row(helper).get("status"), "experimenter.pause()");
            assertEquals("flushed", store.row(helper).get("phase"), "experimenter.result() and flush()");
            assertEquals(7, store.logRows("steps", helper).get(0).get("step"), "experimenter.log()");

            assertEquals(6, summary.count(Status.DONE), summary.toString());
            assertEquals(2, summary.count(Status.PAUSED), summary.toString());
            assertEquals(7, summary.count(Status.ERROR), summary.toString());
            // four workers ended (exit3, fork_exit, sigkill, tree; each ran no more rows, above, so four
            // at least) and two task slots: at most six started. Four when one slot ran every row (the
            // other's task came late) and the last row ended its worker
            long workers = calls.stream().map(c -> c[1]).distinct().count();
            assertTrue(workers >= 4 && workers <= 6, "worker processes: " + workers);
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

    static String pidOf(List<String[]> calls, String what) {
        return calls.stream().filter(c -> c[0].equals(what)).findFirst().orElseThrow()[1];
    }

    /** The pids of the calls after the first of what. */
    static List<String> callsAfter(List<String[]> calls, String what) {
        int i = 0;
        while (!calls.get(i)[0].equals(what)) {
            i++;
        }
        return calls.subList(i + 1, calls.size()).stream().map(c -> c[1]).toList();
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
        return ProcessHandle.of(pid)
                .map(org.experimenter.process.ProcessTree::running)
                .orElse(false);
    }
}
