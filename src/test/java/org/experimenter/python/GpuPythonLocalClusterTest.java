package org.experimenter.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.experimenter.Experimenter;
import org.experimenter.store.ExperimentStore;
import org.experimenter.testing.ChildJvm;
import org.experimenter.testing.Faults;
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
        Path discover = dir.resolve("discover-gpus");
        Files.writeString(discover, "#!/bin/sh\necho '{\"name\": \"gpu\", \"addresses\": [\"0\", \"1\"]}'\n");
        assertTrue(discover.toFile().setExecutable(true));
        StringBuilder conf = new StringBuilder();
        for (Map.Entry<String, Object> e : TestDb.SQLITE.database(dir, table).entrySet()) {
            conf.append(e.getKey()).append(" = \"").append(e.getValue()).append("\"\n");
        }
        conf.append("keyfields { seed { type = int, values = { start = 0, stop = 6 } } }\n")
                .append("resultfields { cuda = string, worker = long, started = double, ended = double }\n")
                .append("resources.gpus = 1\n")
                .append("experiment {\n  python {\n    function = \"")
                .append(Path.of("src/test/resources/gpus/gpu_function.py").toAbsolutePath())
                .append(":run\"\n    interpreter = \"")
                .append(PythonFunctionContractTest.python())
                .append("\"\n  }\n  run-dir = \"")
                .append(dir.resolve("runs"))
                .append("\"\n}\n")
                .append("execution.partitions = 6\n")
                .append("spark.master = \"local-cluster[1,4,1024]\"\n")
                .append("spark.conf {\n  \"spark.ui.enabled\" = false\n")
                .append("  \"spark.worker.resource.gpu.amount\" = 2\n")
                .append("  \"spark.worker.resource.gpu.discoveryScript\" = \"")
                .append(discover)
                .append("\"\n  \"spark.executor.resource.gpu.amount\" = 2\n")
                .append("  \"spark.executor.extraJavaOptions\" = \"-XX:TieredStopAtLevel=1 -XX:+UseSerialGC\"\n")
                .append("  \"spark.executor.extraClassPath\" = \"")
                .append(ChildJvm.classPath())
                .append("\"\n}\n");
        Path file = Files.writeString(dir.resolve(table + ".conf"), conf);
        Experimenter ex = Experimenter.load(file);
        ExperimentStore store = TestDb.store(ex);
        assertEquals(6, ex.fill());
        Process driver = Faults.startDriver(dir.resolve("driver.out"), file);
        try {
            assertTrue(driver.waitFor(300, TimeUnit.SECONDS), "the run ends");
            assertEquals(0, driver.exitValue(), Files.readString(dir.resolve("driver.out")));
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
                int atOnce = 0;
                for (Map<String, Object> o : rows) {
                    if ((Double) o.get("started") < (Double) r.get("ended")
                            && (Double) r.get("started") < (Double) o.get("ended")) {
                        atOnce++;
                        if (o != r) {
                            assertNotEquals(cuda, o.get("cuda"), "rows at the same time share no GPU");
                        }
                    }
                }
                most = Math.max(most, atOnce);
            }
            assertTrue(most <= 2, "at most 2 rows at once on 2 GPUs: " + most);
            System.out.println("Python GPU rows on local-cluster: 6 done, at most " + most
                    + " at once, workers to GPUs " + gpuOfWorker);
        } finally {
            driver.destroyForcibly();
            ex.drop();
        }
    }
}
