package org.experimenter.process;

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
 * Command experiments where executor JVMs start the processes: local-cluster[2,1,1024], the
 * driver in its own JVM as {@code experimenter run}, PostgreSQL. Every process reports the JVM
 * that started it, and its log row and results reach the table from that executor.
 */
class CommandLocalClusterTest {
    @Test
    void onALocalClusterTheExecutorJvmsStartTheCommandsAndTheirResultsReachTheTable() throws Exception {
        String table = TestDb.uniqueTable("command_cluster");
        Path dir = Faults.runDir(table);
        StringBuilder conf = new StringBuilder();
        for (Map.Entry<String, Object> e : TestDb.POSTGRES.database(dir, table).entrySet()) {
            conf.append(e.getKey()).append(" = \"").append(e.getValue()).append("\"\n");
        }
        conf.append("keyfields { what { type = string, values = [where1, where2, where3, where4, where5, where6] } }\n")
                .append("resultfields { score = double, count = int, echo = string }\n")
                .append("logtables { steps { step = int, loss = double } }\n")
                .append("experiment {\n  command = [\"")
                .append(CommandExperimentContractTest.python())
                .append("\", \"")
                .append(CommandExperimentContractTest.script("cases.py"))
                .append("\", \"--what\", \"{what}\"]\n  stream-interval = 100ms\n  run-dir = \"")
                .append(dir.resolve("runs"))
                .append("\"\n}\n")
                .append("execution.partitions = 2\n")
                .append("spark.master = \"local-cluster[2,1,1024]\"\n")
                // executor JVMs that start fast: they run short commands, not hot loops
                .append("spark.conf {\n  \"spark.ui.enabled\" = false\n")
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
            assertTrue(driver.waitFor(240, TimeUnit.SECONDS), "the run ends");
            assertEquals(0, driver.exitValue(), Files.readString(dir.resolve("driver.out")));
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
            driver.destroyForcibly();
            ex.drop();
        }
    }
}
