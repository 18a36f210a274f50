package org.experimenter.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.experimenter.Experiment;
import org.experimenter.ExperimentContext;
import org.experimenter.Experimenter;
import org.experimenter.ExperimenterException;
import org.experimenter.Reproduction;
import org.experimenter.RunOptions;
import org.experimenter.RunSummary;
import org.experimenter.Status;
import org.experimenter.store.ExperimentStore;
import org.experimenter.testing.Faults;
import org.experimenter.testing.TestDb;
import org.experimenter.testing.TestSpark;
import org.junit.jupiter.api.Test;

/**
 * Spark's local mode takes no stage-level resource profile: a run there whose rows ask for cores
 * says in one log line that the cores are every task's request; {@code --stage} runs only the
 * rows of that stage.
 */
class LocalModeResourcesTest {
    @Test
    void inLocalModeARunSaysInOneLineThatCoresAreEveryTasksAndStageNarrowsItsRows() throws Exception {
        String table = TestDb.uniqueTable("local_res");
        Path dir = Faults.runDir(table);
        Path conf = Faults.writeConfig(
                dir,
                TestDb.SQLITE,
                table,
                dir.resolve("executions.log"),
                6,
                "local[2]",
                "sleep-ms = 0",
                "resources { cpus = 2 }");
        Experimenter ex = Experimenter.load(conf);
        ExperimentStore store = TestDb.store(ex);
        List<String> lines = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getMessage().startsWith("resources:")) {
                    lines.add(r.getMessage());
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger log = Logger.getLogger(RunJob.class.getName());
        log.addHandler(capture);
        try {
            assertEquals(6, ex.fill());
            try (Connection c = DriverManager.getConnection(ex.config().url());
                    Statement st = c.createStatement()) {
                assertEquals(3, st.executeUpdate("UPDATE " + table + " SET stage = 2 WHERE x >= 3"));
            }
            ex.run(
                    TestSpark.session(),
                    ex.experimentFromConfig(),
                    RunOptions.all().stage(2));
            assertEquals(
                    List.of("resources: Spark's local[2] takes no stage-level resource profile, so every task of"
                            + " this session asks for the rows' cores and GPUs (spark.task.cpus,"
                            + " spark.task.resource.gpu.amount), not only the tasks that run rows"),
                    lines);
            for (Map<String, Object> r : store.rows()) {
                assertEquals((Integer) r.get("x") >= 3 ? "done" : "created", r.get("status"), r.toString());
            }
        } finally {
            log.removeHandler(capture);
            ex.drop();
        }
    }

    @Test
    void aRowsMemorySizesNoExecutorInLocalModeAndTheRunSaysSoInOneLine() throws Exception {
        String table = TestDb.uniqueTable("local_mem");
        Path dir = Faults.runDir(table);
        Path conf = Faults.writeConfig(
                dir,
                TestDb.SQLITE,
                table,
                dir.resolve("executions.log"),
                2,
                "local[2]",
                "sleep-ms = 0",
                "resources { memory = 1g }");
        Experimenter ex = Experimenter.load(conf);
        ExperimentStore store = TestDb.store(ex);
        List<String> lines = new ArrayList<>();
        Handler capture = capture(lines);
        Logger log = Logger.getLogger(RunJob.class.getName());
        log.addHandler(capture);
        try {
            assertEquals(2, ex.fill());
            ex.run(TestSpark.session(), ex.experimentFromConfig(), RunOptions.all());
            assertEquals(
                    List.of("resources: memory = 1g is told to each row (ctx.memory(), EXPERIMENTER_MEMORY_MB) but"
                            + " sizes no executor: Spark 4.2 starts executors of a row's memory only for a resource"
                            + " profile with executor requests, which needs dynamic allocation"
                            + " (spark.dynamicAllocation.enabled) on standalone, YARN or Kubernetes; here (local[2])"
                            + " the executors have spark.executor.memory"),
                    lines);
            for (Map<String, Object> r : store.rows()) {
                assertEquals("done", r.get("status"), r.toString());
            }
        } finally {
            log.removeHandler(capture);
            ex.drop();
        }
    }

    @Test
    void aRunWithoutStageGivesEachRowTheResourcesOfItsStage() throws Exception {
        Experimenter ex = withStageTwo(
                "local_stages", 6, "resources { memory = 1g }\nstages { 2 { resources { memory = 2g } } }", 3);
        ExperimentStore store = TestDb.store(ex);
        try {
            RunSummary summary = ex.run(TestSpark.session(), ex.experimentFromConfig(), RunOptions.all());
            assertEquals(6, summary.count(Status.DONE), summary.toString());
            for (Map<String, Object> r : store.rows()) {
                assertEquals("done", r.get("status"), r.toString());
                String given =
                        (String) store.attempts((Long) r.get("id")).get(0).get("resources");
                assertEquals(
                        (Integer) r.get("x") >= 3 ? "gpus=0 cpus=1 memory=2g" : "gpus=0 cpus=1 memory=1g",
                        given,
                        "the resources of the row's stage: " + r);
            }
        } finally {
            ex.drop();
        }
    }

    @Test
    void aLaterStagesGpusInLocalModeStopTheRunWithOneLineNamingTheStageBeforeAnyRowRuns() throws Exception {
        Experimenter ex = withStageTwo("local_stage_gpu", 4, "stages { 2 { resources { gpus = 1 } } }", 2);
        ExperimentStore store = TestDb.store(ex);
        try {
            ExperimenterException e = assertThrows(
                    ExperimenterException.class,
                    () -> ex.run(TestSpark.session(), ex.experimentFromConfig(), RunOptions.all()));
            assertEquals(
                    ex.config().origin() + ": stages.2.resources.gpus: the rows of stage 2 ask for GPUs, which"
                            + " Spark's local mode (local[2]) does not schedule; nothing was run. Run on a cluster,"
                            + " or on this machine with spark.master = \"local-cluster[1,<cores>,<MB>]\" and a"
                            + " discovery script (docs/gpus.md); or run the other stages alone (run --stage 1)",
                    e.getMessage());
            for (Map<String, Object> r : store.rows()) {
                assertEquals("created", r.get("status"), "no row runs, of stage 1 either: " + r);
            }
            RunSummary first = ex.run(
                    TestSpark.session(),
                    ex.experimentFromConfig(),
                    RunOptions.all().stage(1));
            assertEquals(2, first.count(Status.DONE), "run --stage 1 runs the grid rows: " + first);
        } finally {
            ex.drop();
        }
    }

    @Test
    void runOneAndReproduceGiveARowTheResourcesOfItsStage() throws Exception {
        Experimenter ex = withStageTwo(
                "one_stages", 6, "resources { memory = 1g }\nstages { 2 { resources { memory = 2g } } }", 3);
        ExperimentStore store = TestDb.store(ex);
        try {
            Map<String, Object> second = ex.runOne(Map.of("x", "4"), new MemoryExperiment());
            Map<String, Object> first = ex.runOne(Map.of("x", "1"), new MemoryExperiment());
            assertEquals(2048.0, second.get("score"), "run-one of a stage-2 row: its stage's memory " + second);
            assertEquals(1024.0, first.get("score"), "run-one of a grid row: the top-level memory " + first);
            assertEquals(
                    "gpus=0 cpus=1 memory=2g",
                    store.attempts((Long) second.get("id")).get(0).get("resources"));

            Reproduction.Result again = ex.reproduce((Long) second.get("id"), new MemoryExperiment());
            assertEquals(2048.0, again.rerun().get("score"), "reproduce of a stage-2 row: its stage's memory");
        } finally {
            ex.drop();
        }
    }

    /** Puts the memory its attempt was given, in MB, as its score. */
    static final class MemoryExperiment implements Experiment {
        private static final long serialVersionUID = 1L;

        @Override
        public void run(ExperimentContext ctx) {
            ctx.results().put("score", ctx.memory() / (1024.0 * 1024.0));
        }
    }

    private static Handler capture(List<String> lines) {
        return new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getMessage().startsWith("resources:")) {
                    lines.add(r.getMessage());
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
    }

    /**
     * A SQLite table of {@code rows} rows (x = 0, 1, ...) on local[2] with these extra config lines,
     * filled, its rows of x >= {@code fromX} moved to stage 2.
     */
    private static Experimenter withStageTwo(String name, int rows, String extra, int fromX) throws Exception {
        String table = TestDb.uniqueTable(name);
        Path dir = Faults.runDir(table);
        Path conf = Faults.writeConfig(
                dir, TestDb.SQLITE, table, dir.resolve("executions.log"), rows, "local[2]", "sleep-ms = 0", extra);
        Experimenter ex = Experimenter.load(conf);
        assertEquals(rows, ex.fill());
        try (Connection c = DriverManager.getConnection(ex.config().url());
                Statement st = c.createStatement()) {
            assertEquals(rows - fromX, st.executeUpdate("UPDATE " + table + " SET stage = 2 WHERE x >= " + fromX));
        }
        return ex;
    }
}
