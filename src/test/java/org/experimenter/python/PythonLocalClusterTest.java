package org.experimenter.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.experimenter.Experimenter;
import org.experimenter.store.ExperimentStore;
import org.experimenter.testing.ChildJvm;
import org.experimenter.testing.Faults;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.Test;

/**
 * Python functions where executor JVMs start the workers: local-cluster[2,1,1024], the driver in
 * its own JVM as {@code experimenter run}, PostgreSQL. Each row says which worker ran it and which
 * JVM started that worker: executors, never the driver, and one worker per executor for all rows.
 */
class PythonLocalClusterTest {
    @Test
    void onALocalClusterEachExecutorStartsOneWorkerThatRunsItsRows() throws Exception {
        String table = TestDb.uniqueTable("python_cluster");
        Path dir = Faults.runDir(table);
        StringBuilder conf = new StringBuilder();
        for (Map.Entry<String, Object> e : TestDb.POSTGRES.database(dir, table).entrySet()) {
            conf.append(e.getKey()).append(" = \"").append(e.getValue()).append("\"\n");
        }
        conf.append("keyfields { seed { type = int, values = { start = 0, stop = 12 } } }\n")
                .append("resultfields { worker = long, starter = long }\n")
                .append("experiment {\n  python {\n    function = \"")
                .append(PythonFunctionContractTest.resource("constant.py"))
                .append(":where\"\n    interpreter = \"")
                .append(PythonFunctionContractTest.python())
                .append("\"\n  }\n  run-dir = \"")
                .append(dir.resolve("runs"))
                .append("\"\n}\n")
                .append("execution.partitions = 2\n")
                .append("spark.master = \"local-cluster[2,1,1024]\"\n")
                .append("spark.conf {\n  \"spark.ui.enabled\" = false\n")
                .append("  \"spark.executor.extraJavaOptions\" = \"-XX:TieredStopAtLevel=1 -XX:+UseSerialGC\"\n")
                .append("  \"spark.executor.extraClassPath\" = \"")
                .append(ChildJvm.classPath())
                .append("\"\n}\n");
        Path file = Files.writeString(dir.resolve(table + ".conf"), conf);
        Experimenter ex = Experimenter.load(file);
        ExperimentStore store = TestDb.store(ex);
        assertEquals(12, ex.fill());
        Process driver = Faults.startDriver(dir.resolve("driver.out"), file);
        try {
            assertTrue(driver.waitFor(240, TimeUnit.SECONDS), "the run ends");
            assertEquals(0, driver.exitValue(), Files.readString(dir.resolve("driver.out")));
            Set<Long> workers = new TreeSet<>();
            Set<Long> starters = new TreeSet<>();
            for (Map<String, Object> r : store.rows()) {
                assertEquals("done", r.get("status"), String.valueOf(r.get("error")));
                workers.add((Long) r.get("worker"));
                starters.add((Long) r.get("starter"));
            }
            System.out.println("Python functions on local-cluster: 12 done by workers " + workers + " started by JVMs "
                    + starters);
            assertTrue(!starters.contains(driver.pid()), "no worker started by the driver: " + starters);
            assertTrue(workers.size() <= 2 && starters.size() <= 2, "one worker per executor: " + workers);
        } finally {
            driver.destroyForcibly();
            ex.drop();
        }
    }
}
