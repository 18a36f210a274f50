package org.experimenter.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.experimenter.Experimenter;
import org.experimenter.store.ExperimentStore;
import org.experimenter.testing.Faults;
import org.experimenter.testing.LocalCluster;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.Test;

/**
 * GPUs per row for a Python function, without a GPU: two fake GPUs announced by a discovery
 * script to the one executor of local-cluster[1,4,1024], 6 one-GPU rows in 6 tasks, SQLite. The
 * workers are long-lived, so a worker started for one task's GPU must never serve a task with the
 * other: each worker sees one CUDA_VISIBLE_DEVICES for all its rows.
 */
class GpuPythonLocalClusterTest {
    @Test
    void aPythonWorkerServesOnlyTasksOfTheGpuItWasStartedFor() throws Exception {
        String table = TestDb.uniqueTable("gpu_python");
        Path dir = Faults.runDir(table);
        String body = "keyfields { seed { type = int, values = { start = 0, stop = 6 } } }\n"
                + "resultfields { cuda = string, worker = long, started = double, ended = double }\n"
                + "resources.gpus = 1\n"
                + "experiment {\n  python {\n    function = \""
                + Path.of("src/test/resources/gpus/gpu_function.py").toAbsolutePath() + ":run\"\n"
                + "    interpreter = \"" + PythonFunctionContractTest.python() + "\"\n  }\n"
                + "  run-dir = \"" + dir.resolve("runs") + "\"\n}\n"
                + "execution.partitions = 6\n";
        Path file = LocalCluster.config(
                dir, TestDb.SQLITE, table, body, "local-cluster[1,4,1024]", LocalCluster.twoFakeGpus(dir));
        Experimenter ex = Experimenter.load(file);
        ExperimentStore store = TestDb.store(ex);
        try {
            assertEquals(6, ex.fill());
            LocalCluster.runDriver(dir, file, 300);
            List<Map<String, Object>> rows = store.rows();
            Map<Long, String> gpuOfWorker = new HashMap<>();
            int most = 0;
            for (Map<String, Object> r : rows) {
                assertEquals("done", r.get("status"), String.valueOf(r.get("error")));
                String cuda = (String) r.get("cuda");
                assertTrue(Set.of("0", "1").contains(cuda), "one fake GPU: " + r);
                String before = gpuOfWorker.putIfAbsent((Long) r.get("worker"), cuda);
                assertTrue(
                        before == null || before.equals(cuda),
                        "worker " + r.get("worker") + " saw GPU " + before + " and then " + cuda
                                + ": it served tasks of two GPUs");
                // how many run at the moment r starts (two rows one after the other on the other GPU
                // that each overlap r are not three at once)
                int atOnce = 0;
                for (Map<String, Object> o : rows) {
                    if ((Double) o.get("started") <= (Double) r.get("started")
                            && (Double) r.get("started") < (Double) o.get("ended")) {
                        atOnce++;
                    }
                    if (o != r
                            && (Double) o.get("started") < (Double) r.get("ended")
                            && (Double) r.get("started") < (Double) o.get("ended")) {
                        assertNotEquals(cuda, o.get("cuda"), "rows at the same time share no GPU");
                    }
                }
                most = Math.max(most, atOnce);
            }
            assertTrue(most <= 2, "at most 2 rows at once on 2 GPUs: " + most);
            System.out.println("Python GPU rows on local-cluster: 6 done, at most " + most
                    + " at once, workers to GPUs " + gpuOfWorker);
        } finally {
            ex.drop();
        }
    }
}
