package org.experimenter.python;

import static org.experimenter.python.PythonFunctionContractTest.pythonBlock;
import static org.experimenter.python.PythonFunctionContractTest.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.experimenter.Experimenter;
import org.experimenter.RunSummary;
import org.experimenter.Status;
import org.experimenter.store.ExperimentStore;
import org.experimenter.testing.InProcessCli;
import org.experimenter.testing.TestDb;
import org.experimenter.testing.TestSpark;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How many Python processes a run starts (local[2]: two task slots): one per slot, kept across
 * tasks and runs of the JVM; fresh ones after max-rows-per-worker rows; none per row when the
 * function cannot be imported. Each worker writes "import &lt;pid&gt;" when it imports the
 * function, "row &lt;pid&gt;" per call, and "exit &lt;pid&gt;" when it exits by itself.
 */
class PythonWorkerPoolTest {
    @TempDir
    Path dir;

    /** The tables the test made, dropped after it. */
    private final List<Experimenter> made = new ArrayList<>();

    @AfterEach
    void dropTables() {
        made.forEach(Experimenter::drop);
    }

    private Experimenter dropAfter(Experimenter ex) {
        made.add(ex);
        return ex;
    }

    /** A table of rows n = 0 .. rows - 1, filled, whose rows call the function with extra in its python block. */
    private Experimenter experimenter(String function, int rows, String extra) {
        String hocon = String.join(
                "\n",
                "keyfields { n { type = int, values = { start = 0, stop = " + rows + " } } }",
                "resultfields { x = double }",
                pythonBlock(resource(function).toString(), dir.resolve("runs"), dir.resolve("pids.txt"), extra),
                "");
        Experimenter ex = dropAfter(Experimenter.of(TestDb.SQLITE.config(dir, TestDb.uniqueTable("pool"), hocon)));
        ex.fill();
        return ex;
    }

    private List<String> lines(String kind) throws Exception {
        return Files.readAllLines(dir.resolve("pids.txt")).stream()
                .filter(l -> l.startsWith(kind + " "))
                .map(l -> l.substring(kind.length() + 1))
                .toList();
    }

    @Test
    void oneWorkerPerTaskSlotServesEveryRowOfARunAndOfTheNextRun() throws Exception {
        Experimenter ex = experimenter("constant.py:run", 40, "");
        RunSummary first = ex.run(TestSpark.session());
        assertEquals(40, first.count(Status.DONE), first.toString());
        List<String> imports = lines("import");
        assertTrue(imports.size() >= 1 && imports.size() <= 2, "workers started for 2 task slots: " + imports);
        assertEquals(40, lines("row").size());

        ex.reset(java.util.Set.of(Status.DONE));
        RunSummary second = ex.run(TestSpark.session());
        assertEquals(40, second.count(Status.DONE), second.toString());
        assertEquals(imports, lines("import"), "the second run's tasks reused the workers of the first");
        assertTrue(imports.containsAll(lines("row")), "every row ran in one of them");
    }

    /**
     * The driver of a local run starts its workers before Spark (PythonExperiment.prestart): they
     * import the function with no row running yet, and the rows take them rather than start more.
     */
    @Test
    void workersStartedAheadImportBeforeAnyRowAndServeEveryRow() throws Exception {
        Experimenter ex = experimenter("constant.py:run", 30, "");
        new PythonExperiment(ex.config()).prestart(2);
        awaitLines("import", 2, 30);
        assertEquals(List.of(), lines("row"), "no row ran yet");
        List<String> imports = lines("import");
        RunSummary summary = ex.run(TestSpark.session());
        assertEquals(30, summary.count(Status.DONE), summary.toString());
        assertEquals(imports, lines("import"), "no worker beside the two started ahead");
        assertTrue(imports.containsAll(lines("row")), "every row ran in one of them: " + lines("row"));
    }

    /** Rows that find workers still importing wait for them instead of starting interpreters of their own. */
    @Test
    void rowsWaitForWorkersBeingStartedAheadAndAFailedImportEndsThemAtOnce() throws Exception {
        Experimenter slow = experimenter("constant.py:run", 12, "environment { CASES_IMPORT_SLEEP = \"1.5\" }");
        new PythonExperiment(slow.config()).prestart(2);
        RunSummary slowRun = slow.run(TestSpark.session()); // at once: the workers are still importing
        assertEquals(12, slowRun.count(Status.DONE), slowRun.toString());
        assertEquals(2, lines("import").size(), "workers: " + lines("import"));
        Files.delete(dir.resolve("pids.txt"));
        Experimenter broken = experimenter("broken.py:run", 10, "");
        ExperimentStore store = TestDb.store(broken);
        new PythonExperiment(broken.config()).prestart(2);
        RunSummary brokenRun = broken.run(TestSpark.session());
        assertEquals(10, brokenRun.count(Status.ERROR), brokenRun.toString());
        for (Map<String, Object> r : store.rows()) {
            assertTrue(String.valueOf(r.get("error")).contains("ImportError: broken on purpose"), r.toString());
        }
        // the two started ahead and none beside them; the second may be ended by the first's failed
        // import before it gets as far as its import line (a loaded machine starts it slowly)
        List<String> started = lines("import");
        assertTrue(started.size() >= 1 && started.size() <= 2, "interpreters started: " + started);
    }

    /**
     * PyExperimenter's general-usage script in one command: run --fill --fill-from --eval fills
     * the grid and the extra row, runs them and prints the statistics, in one process.
     */
    @Test
    void theGeneralUsageExampleIsOneCommandThatFillsRunsAndEvaluates() throws Exception {
        Path conf = dir.resolve("general.conf");
        Files.writeString(
                conf,
                String.join(
                        "\n",
                        "include file(\""
                                + Path.of("conf", "general-usage.conf").toAbsolutePath() + "\")",
                        "database.url = \"jdbc:sqlite:" + dir.resolve("general.db") + "\"",
                        "experiment.run-dir = \"" + dir.resolve("runs") + "\"",
                        "experiment.python.interpreter = \"" + PythonFunctionContractTest.python() + "\"",
                        "spark.master = \"local[2]\"",
                        ""));
        String[] r = InProcessCli.run(
                "run", "--config", conf.toString(), "--fill", "--fill-from", "conf/general-usage-extra.csv", "--eval");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("example_general_usage: 12 new rows (grid of 12)"), r[1]);
        assertTrue(r[1].contains("example_general_usage: 1 new rows (from conf/general-usage-extra.csv)"), r[1]);
        assertTrue(r[1].contains("13 experiments"), r[1]);
        Map<String, String> accuracy =
                Map.of("linear", "0.9667", "poly", "0.9333", "rbf", "0.9667", "sigmoid", "0.8933");
        for (Map.Entry<String, String> k : accuracy.entrySet()) {
            assertTrue(
                    r[1].lines().anyMatch(l -> l.contains(" " + k.getKey() + " ") && l.contains(k.getValue() + " ± ")),
                    k + " in the evaluation:\n" + r[1]);
        }
        assertTrue(r[2].contains("left out 1 row not done (1 error)"), r[2]);

        assertTrue(r[1].contains("train_f1"), "every numeric field by default:\n" + r[1]);

        String[] again = InProcessCli.run("run", "--config", conf.toString(), "--fill", "--eval", "test_accuracy");
        assertEquals("0", again[0], again[2]);
        assertTrue(again[1].contains(": 0 new rows (grid of 12)"), again[1]);
        assertTrue(again[1].contains("run: nothing to run in example_general_usage"), again[1]);
        assertTrue(again[1].contains("0.8933 ± "), "the evaluation without a run:\n" + again[1]);
        assertTrue(!again[1].contains("train_f1") && !again[1].contains("test_f1"), "only test_accuracy:\n" + again[1]);

        String[] typo = InProcessCli.run("run", "--config", conf.toString(), "--eval", "test_acuracy");
        assertTrue(
                !typo[0].equals("0") && typo[2].contains("--eval test_acuracy: no such result field"),
                typo[0] + typo[1] + typo[2]);
    }

    private void awaitLines(String kind, int n, int seconds) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!Files.exists(dir.resolve("pids.txt")) || lines(kind).size() < n) {
            assertTrue(System.nanoTime() < deadline, "fewer than " + n + " " + kind + " lines after " + seconds + " s");
            Thread.sleep(50);
        }
    }

    /** What a function starts and leaves running ends with its row, not later with its worker. */
    @Test
    void processesAFunctionLeftRunningEndWithItsRowAndTheWorkerGoesOn() throws Exception {
        String tag = Long.toString(System.nanoTime() % 1_000_000);
        Experimenter ex = experimenter("constant.py:leave_children", 6, "environment { LEFT_TAG = \"" + tag + "\" }");
        RunSummary s = ex.run(TestSpark.session());
        assertEquals(6, s.count(Status.DONE), s.toString());
        Thread.sleep(300);
        List<String> left = new java.util.ArrayList<>();
        try (var proc = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path p : proc) {
                try {
                    String cmd = new String(
                                    Files.readAllBytes(p.resolve("cmdline")), java.nio.charset.StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    if (cmd.startsWith("sleep 3737." + tag) || cmd.startsWith("sleep 3838." + tag)) {
                        ProcessHandle.of(Long.parseLong(p.getFileName().toString()))
                                .filter(org.experimenter.process.ProcessTree::running)
                                .ifPresent(h -> left.add(h.pid() + ": " + cmd));
                    }
                } catch (java.io.IOException | NumberFormatException e) {
                    // not a process, or gone meanwhile
                }
            }
        }
        assertEquals(List.of(), left, "no process of a finished row is left");
        assertTrue(lines("import").size() <= 2, "the workers went on: " + lines("import"));
    }

    /**
     * A child the function left in the worker's session ends with its row even without the row's
     * token in its environment; a process that a thread the function left behind starts after its
     * row ended, between two rows of the worker, ends with the worker's next row rather than live on
     * until the worker ends.
     */
    @Test
    void aChildWithoutTheTokenAndOneAThreadStartsBetweenRowsEndWithARow() throws Exception {
        String tag = Long.toString(System.nanoTime() % 1_000_000);
        Experimenter ex =
                experimenter("constant.py:fork_after_return", 2, "environment { LEFT_TAG = \"" + tag + "\" }");
        RunSummary first = ex.run(TestSpark.session(), ex.experimentFromConfig(), "n = 0", 0);
        assertEquals(1, first.count(Status.DONE), first.toString());
        awaitGone(lines("bare"), 5);
        awaitLines("later", 1, 10); // started 0.3 s after the row ended
        String child = lines("later").get(0);
        assertTrue(running(child), "the child runs while no row does");

        RunSummary second = ex.run(TestSpark.session(), ex.experimentFromConfig(), "n = 1", 0);
        assertEquals(1, second.count(Status.DONE), second.toString());
        assertEquals(1, lines("import").size(), "one worker served both rows");
        awaitGone(List.of(child), 5);
    }

    @Test
    void aModuleOnThePathServesAsAFileDoes() throws Exception {
        String hocon = String.join(
                "\n",
                "keyfields { n { type = int, values = [1, 2, 3] } }",
                "resultfields { x = double }",
                pythonBlock(
                        "constant:run",
                        dir.resolve("runs"),
                        dir.resolve("pids.txt"),
                        "    path = [\"" + resource("constant.py").getParent() + "\"]"),
                "");
        Experimenter ex = dropAfter(Experimenter.of(TestDb.SQLITE.config(dir, TestDb.uniqueTable("module"), hocon)));
        ex.fill();
        RunSummary summary = ex.run(TestSpark.session());
        assertEquals(3, summary.count(Status.DONE), summary.toString());
        assertEquals(3, lines("row").size());
    }

    @Test
    void aWorkerIsReplacedAfterMaxRowsPerWorkerRows() throws Exception {
        Experimenter ex = experimenter(
                "constant.py:run", 12, "    max-rows-per-worker = 3\n    environment { CASES_EXIT_SLEEP = \"0.5\" }");
        RunSummary summary = ex.run(TestSpark.session());
        assertEquals(12, summary.count(Status.DONE), summary.toString());
        Map<String, Long> rowsPerWorker =
                lines("row").stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertTrue(rowsPerWorker.values().stream().allMatch(n -> n <= 3), rowsPerWorker.toString());
        assertTrue(lines("import").size() >= 4, "12 rows at 3 per worker: " + lines("import"));
        // a replaced worker ends as an idle one does: told goodbye, its atexit handlers run, no SIGTERM
        List<String> full = rowsPerWorker.entrySet().stream()
                .filter(e -> e.getValue() == 3)
                .map(Map.Entry::getKey)
                .toList();
        awaitGone(full, 10);
        assertTrue(lines("exit").containsAll(full), "exited by themselves: " + lines("exit") + " of " + full);
    }

    @Test
    void aWorkerIdleForWorkerIdleTimeoutExitsAndTheNextRowStartsANewOne() throws Exception {
        Experimenter ex = experimenter("constant.py:run", 8, "    worker-idle-timeout = 2s");
        RunSummary first = ex.run(TestSpark.session());
        assertEquals(8, first.count(Status.DONE), first.toString());
        List<String> old = lines("import");
        assertTrue(old.stream().allMatch(PythonWorkerPoolTest::running), "still there right after the run: " + old);

        awaitGone(old, 2 + 1 + 10);
        assertEquals(
                new java.util.TreeSet<>(old),
                new java.util.TreeSet<>(lines("exit")),
                "each exited by itself when its input was closed, no signal needed");

        ex.reset(java.util.Set.of(Status.DONE));
        RunSummary second = ex.run(TestSpark.session());
        assertEquals(8, second.count(Status.DONE), second.toString());
        List<String> fresh = lines("import").subList(old.size(), lines("import").size());
        assertTrue(!fresh.isEmpty() && fresh.stream().noneMatch(old::contains), old + " then " + fresh);
        assertTrue(lines("row").subList(8, 16).stream().allMatch(fresh::contains), "rows ran in new workers");
    }

    @Test
    void withWorkerIdleTimeoutOffAnIdleWorkerServesTheNextRunHowLongItWaited() throws Exception {
        Experimenter ex = experimenter("constant.py:run", 8, "    worker-idle-timeout = off");
        RunSummary first = ex.run(TestSpark.session());
        assertEquals(8, first.count(Status.DONE), first.toString());
        List<String> old = lines("import");
        Thread.sleep(4_000);
        assertTrue(old.stream().allMatch(PythonWorkerPoolTest::running), "still there: " + old);

        ex.reset(java.util.Set.of(Status.DONE));
        RunSummary second = ex.run(TestSpark.session());
        assertEquals(8, second.count(Status.DONE), second.toString());
        assertEquals(old, lines("import"), "no worker started");
        assertTrue(old.containsAll(lines("row")), "every row ran in the first run's workers");
    }

    /** A function's thread that never ends keeps the worker from exiting: SIGKILL, kill-grace later. */
    @Test
    void anIdleWorkerThatDoesNotExitWhenAskedIsKilledAfterKillGrace() throws Exception {
        Experimenter ex = experimenter("constant.py:linger", 2, "    worker-idle-timeout = 1s");
        RunSummary s = ex.run(TestSpark.session());
        assertEquals(2, s.count(Status.DONE), s.toString());
        List<String> old = lines("import");
        awaitGone(old, 1 + 1 + 10); // kill-grace = 1s in pythonBlock
        assertEquals(List.of(), lines("exit"), "killed, not exited");
    }

    private static boolean running(String pid) {
        return ProcessHandle.of(Long.parseLong(pid))
                .filter(org.experimenter.process.ProcessTree::running)
                .isPresent();
    }

    private static void awaitGone(List<String> pids, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (pids.stream().anyMatch(PythonWorkerPoolTest::running)) {
            assertTrue(System.nanoTime() < deadline, "still running after " + seconds + " s: " + pids);
            Thread.sleep(100);
        }
    }

    @Test
    void aFunctionThatCannotBeImportedFailsEveryRowAtOnceWithoutAnInterpreterPerRow() throws Exception {
        Experimenter ex = experimenter("broken.py:run", 30, "");
        ExperimentStore store = TestDb.store(ex);
        long t0 = System.nanoTime();
        RunSummary summary = ex.run(TestSpark.session());
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(30, summary.count(Status.ERROR), summary.toString());
        for (Map<String, Object> r : store.rows()) {
            String error = String.valueOf(r.get("error"));
            assertTrue(error.startsWith("cannot import the function " + resource("broken.py") + ":run"), error);
            assertTrue(error.contains("ImportError: broken on purpose"), error);
        }
        assertTrue(lines("import").size() <= 2, "interpreters started: " + lines("import"));
        assertTrue(seconds < 20, "30 rows failed in " + seconds + " s");
    }

    @Test
    void pyExperimentersGeneralUsageExampleRunsUnchangedWithRealScikitLearn() throws Exception {
        Path conf = Path.of("conf", "general-usage.conf");
        Experimenter ex = dropAfter(Experimenter.of(org.experimenter.config.ExperimentConfig.load(conf)
                .withOverrides(Map.of(
                        "database.url", "jdbc:sqlite:" + dir.resolve("general.db"),
                        "experiment.run-dir", dir.resolve("runs").toString(),
                        "experiment.python.interpreter", PythonFunctionContractTest.python()))));
        ExperimentStore store = TestDb.store(ex);
        assertEquals(12, ex.fill());
        assertEquals(1, ex.fillFromFile(Path.of("conf", "general-usage-extra.csv")));
        RunSummary summary = ex.run(TestSpark.session());
        assertEquals(12, summary.count(Status.DONE), summary.toString());
        assertEquals(1, summary.count(Status.ERROR), summary.toString());
        Map<String, Double> expected = Map.of("linear", 0.9667, "poly", 0.9333, "rbf", 0.9667, "sigmoid", 0.8933);
        for (Map<String, Object> r : store.rows()) {
            if ("error_dataset".equals(r.get("dataset"))) {
                assertEquals("error", r.get("status"));
                assertTrue(String.valueOf(r.get("error")).contains("ValueError: Example error"), r.toString());
                assertTrue(String.valueOf(r.get("pipeline")).startsWith("Pipeline("), "written before the error");
            } else {
                assertEquals("done", r.get("status"), String.valueOf(r.get("error")));
                assertEquals(expected.get(r.get("kernel")), (Double) r.get("test_accuracy"), 5e-5, r.toString());
            }
        }
    }
}
