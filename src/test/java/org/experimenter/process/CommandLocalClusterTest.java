package org.experimenter.process;

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
 * Command experiments where executor JVMs start the processes: local-cluster[2,1,1024], the
 * driver in its own JVM as {@code experimenter run}, PostgreSQL. Every process reports the JVM
 * that started it, and its log row and results reach the table from that executor.
 */
class CommandLocalClusterTest {
    @Test
    void onALocalClusterTheExecutorJvmsStartTheCommandsAndTheirResultsReachTheTable() throws Exception {
        String table = TestDb.uniqueTable("command_cluster");
        Path dir = Faults.runDir(table);
        String body =
                "keyfields { what { type = string, values = [where1, where2, where3, where4, where5, where6] } }\n"
                        + "resultfields { score = double, count = int, echo = string }\n"
                        + "logtables { steps { step = int, loss = double } }\n"
                        + "experiment {\n  command = [\"" + CommandExperimentContractTest.python() + "\", \""
                        + CommandExperimentContractTest.script("cases.py") + "\", \"--what\", \"{what}\"]\n"
                        + "  stream-interval = 100ms\n  run-dir = \"" + dir.resolve("runs") + "\"\n}\n"
                        + "execution.partitions = 2\n";
        Path file = LocalCluster.config(dir, TestDb.POSTGRES, table, body, "local-cluster[2,1,1024]", "");
        Experimenter ex = Experimenter.load(file);
        ExperimentStore store = TestDb.store(ex);
        try {
            assertEquals(6, ex.fill());
            Process driver = LocalCluster.runDriver(dir, file, 240);
            Set<Integer> starters = new TreeSet<>();
            for (Map<String, Object> r : store.rows()) {
                long id = (Long) r.get("id");
                assertEquals("done", r.get("status"), String.valueOf(r.get("error")));
                assertEquals(
                        "executor", r.get("echo"), "the process of row " + id + " was started by " + r.get("echo"));
                assertEquals(1.0, r.get("score"));
                assertEquals(1, store.logRows("steps", id).size(), "the log row of " + id);
                starters.add((Integer) r.get("count"));
            }
            System.out.println("command experiments on local-cluster: 6 done, started by executor JVMs " + starters);
            assertTrue(starters.size() >= 1 && !starters.contains((int) driver.pid()), starters.toString());
        } finally {
            ex.drop();
        }
    }
}
