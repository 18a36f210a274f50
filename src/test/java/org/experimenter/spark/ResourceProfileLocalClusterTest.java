package org.experimenter.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.experimenter.Experimenter;
import org.experimenter.store.ExperimentStore;
import org.experimenter.testing.ChildJvm;
import org.experimenter.testing.Faults;
import org.experimenter.testing.LocalCluster;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Only the tasks that run rows hold GPUs: on local-cluster[1,4,1024] with two fake GPUs (a
 * discovery script), a driver of its own ({@link ProfileRun}) runs a job that asks for nothing
 * and then a run whose rows are read by a Spark stage of their own. The stage that runs rows has
 * a resource profile of its own and at most as many tasks at once as its GPUs allow; the read
 * stage and the other job keep the default profile and run more tasks at once than there are
 * GPUs (before, the session asked a GPU for every task, so they too ran two at once). The two
 * tables (all rows of one GPU; stage 2 of two GPUs) run one after the other in one driver, whose
 * session their configs make alike: one local-cluster start instead of two.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResourceProfileLocalClusterTest {
    record Stage(int id, int profile, int tasks, int most, String job) {}

    Experimenter all;
    Experimenter second;
    /** The stages of each table's part of the driver: that of all, that of second. */
    List<List<Stage>> parts;

    @BeforeAll
    void runBothTablesInOneDriver() throws Exception {
        String allTable = TestDb.uniqueTable("profile_all");
        String stageTable = TestDb.uniqueTable("profile_stage");
        Path dir = Faults.runDir(allTable);
        Path allConf = config(dir, allTable, "resources { gpus = 1 }");
        Path stageConf = config(dir, stageTable, "stages { 2 { resources { gpus = 2 } } }");
        all = Experimenter.load(allConf);
        second = Experimenter.load(stageConf);
        assertEquals(8, all.fill());
        assertEquals(8, second.fill());
        try (Connection c = DriverManager.getConnection(second.config().url());
                Statement st = c.createStatement()) {
            assertEquals(4, st.executeUpdate("UPDATE " + stageTable + " SET stage = 2 WHERE x >= 4"));
        }
        parts = run(dir, allConf, "all", stageConf, "2");
        assertEquals(2, parts.size(), parts.toString());
    }

    @AfterAll
    void dropTables() {
        if (all != null) {
            all.drop();
        }
        if (second != null) {
            second.drop();
        }
    }

    @Test
    void onlyTheStageThatRunsRowsHoldsTheirGpusTheReadStageAndOtherJobsDoNot() throws Exception {
        ExperimentStore store = TestDb.store(all);
        List<Stage> stages = parts.get(0);
        Stage plain = only(stages, "plain");
        assertEquals(0, plain.profile(), stages.toString());
        assertTrue(plain.most() > 2, "tasks that ask for nothing run more at once than there are GPUs: " + stages);
        Stage rows = runStage(stages);
        assertTrue(rows.profile() > 0, "the stage that runs rows has a profile of its own: " + stages);
        assertTrue(rows.most() <= 2, "at most 2 rows at once on 2 GPUs: " + stages);
        // the read of the open rows (Spark's JDBC source, then spread over the run's tasks) is a stage of
        // its own before the run's (AQE runs it when the run's RDD is made: a job of its own)
        List<Stage> reads = stages.stream().filter(s -> s != plain && s != rows).toList();
        assertTrue(!reads.isEmpty(), "a read stage: " + stages);
        for (Stage read : reads) {
            assertEquals(0, read.profile(), "the read stage holds no GPU: " + stages);
        }
        for (Map<String, Object> r : store.rows()) {
            assertEquals("done", r.get("status"), String.valueOf(r.get("error")));
            String given = (String) store.attempts((Long) r.get("id")).get(0).get("resources");
            assertTrue(given.matches("gpus=1 cpus=1 gpu-addresses=[01]"), given);
        }
        System.out.println("resource profiles on local-cluster, 2 fake GPUs, 4 cores: " + stages);
    }

    @Test
    void aRunOfOneStageRunsOnlyItsRowsWithTheResourcesOfItsStagesSection() throws Exception {
        ExperimentStore store = TestDb.store(second);
        List<Stage> stages = parts.get(1);
        assertTrue(only(stages, "plain").most() > 2, stages.toString());
        Stage rows = runStage(stages);
        assertTrue(rows.profile() > 0, stages.toString());
        assertTrue(rows.most() <= 1, "rows of 2 GPUs on 2 GPUs: one at once: " + stages);
        for (Map<String, Object> r : store.rows()) {
            boolean inStage = (Integer) r.get("x") >= 4;
            assertEquals(inStage ? "done" : "created", r.get("status"), r.toString());
            if (inStage) {
                String given =
                        (String) store.attempts((Long) r.get("id")).get(0).get("resources");
                assertTrue(given.matches("gpus=2 cpus=1 gpu-addresses=(0,1|1,0)"), given);
            }
        }
        System.out.println("run --stage 2 with stages { 2 { resources { gpus = 2 } } }: " + stages);
    }

    /** 8 rows of 400 ms, 4 partitions, on local-cluster[1,4,1024] whose executor has two fake GPUs. */
    private static Path config(Path dir, String table, String resources) throws Exception {
        return Faults.writeConfig(
                dir,
                TestDb.SQLITE,
                table,
                dir.resolve(table + ".log"),
                8,
                "local-cluster[1,4,1024]",
                "sleep-ms = 400",
                resources + "\nexecution.partitions = 4\nspark.conf {\n" + LocalCluster.twoFakeGpus(dir)
                        + LocalCluster.FAST_EXECUTORS + "}\n");
    }

    /**
     * Runs the pairs of a config and a stage (or all) in one driver, one after the other; returns
     * the stages of each, in the order of their ids: each from its job plain up to the next's.
     */
    private static List<List<Stage>> run(Path dir, Path conf, String stage, Path conf2, String stage2)
            throws Exception {
        Path out = dir.resolve("stages.txt");
        Process driver = ChildJvm.start(
                dir.resolve("driver.out"),
                ProfileRun.class.getName(),
                out.toString(),
                conf.toString(),
                stage,
                conf2.toString(),
                stage2);
        try {
            assertTrue(driver.waitFor(240, TimeUnit.SECONDS), "the run ends");
            assertEquals(0, driver.exitValue(), Files.readString(dir.resolve("driver.out")));
        } finally {
            driver.destroyForcibly();
        }
        List<Stage> stages = new ArrayList<>();
        for (String line : Files.readAllLines(out)) {
            String[] f = line.split(" ", 5);
            stages.add(new Stage(
                    Integer.parseInt(f[0]),
                    Integer.parseInt(f[1].substring(3)),
                    Integer.parseInt(f[2].substring(6)),
                    Integer.parseInt(f[3].substring(5)),
                    f[4].substring(4)));
        }
        stages.sort(Comparator.comparingInt(Stage::id));
        List<List<Stage>> parts = new ArrayList<>();
        for (Stage s : stages) {
            if (s.job().equals("plain")) {
                parts.add(new ArrayList<>());
            }
            assertTrue(!parts.isEmpty(), "the first stage is that of the job plain: " + stages);
            parts.get(parts.size() - 1).add(s);
        }
        return parts;
    }

    /** The stage that ran the rows: the last of the run's job. */
    private static Stage runStage(List<Stage> stages) {
        List<Stage> run =
                stages.stream().filter(s -> s.job().equals("experimenter run")).toList();
        assertTrue(!run.isEmpty(), stages.toString());
        return run.get(run.size() - 1);
    }

    private static Stage only(List<Stage> stages, String job) {
        List<Stage> of = stages.stream().filter(s -> s.job().equals(job)).toList();
        assertEquals(1, of.size(), stages.toString());
        return of.get(0);
    }
}
