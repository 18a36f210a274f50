package org.experimenter.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.experimenter.Experimenter;
import org.experimenter.store.ExperimentStore;
import org.experimenter.testing.Faults;
import org.experimenter.testing.LocalCluster;
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
        String body = "keyfields { seed { type = int, values = { start = 0, stop = 12 } } }\n"
                + "resultfields { worker = long, starter = long }\n"
                + "experiment {\n  python {\n    function = \""
                + PythonFunctionContractTest.resource("constant.py") + ":where\"\n"
                + "    interpreter = \"" + PythonFunctionContractTest.python() + "\"\n  }\n"
                + "  run-dir = \"" + dir.resolve("runs") + "\"\n}\n"
                + "execution.partitions = 2\n";
        Path file = LocalCluster.config(dir, TestDb.POSTGRES, table, body, "local-cluster[2,1,1024]", "");
        Experimenter ex = Experimenter.load(file);
        ExperimentStore store = TestDb.store(ex);
        try {
            assertEquals(12, ex.fill());
            Process driver = LocalCluster.runDriver(dir, file, 240);
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
            ex.drop();
        }
    }
}
