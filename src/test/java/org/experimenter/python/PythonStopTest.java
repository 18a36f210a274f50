package org.experimenter.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.experimenter.Experimenter;
import org.experimenter.store.ExperimentStore;
import org.experimenter.testing.Faults;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM to a driver JVM while two Python functions run (local[2], SQLite, a 2 s shutdown
 * grace): the one that watches {@code experimenter.stopping()} saves a checkpoint and returns
 * PAUSED; the worker of the one that does not (it ignores SIGTERM, as does its child) is ended
 * with its child when the grace runs out, and its row goes back to created.
 */
class PythonStopTest {
    @Test
    void onStopAFunctionIsToldAndAWorkerThatIgnoresItEndsWithItsTreeWhenTheGraceRunsOut() throws Exception {
        String table = TestDb.uniqueTable("python_stop");
        Path dir = Faults.runDir(table);
        Path runs = dir.resolve("runs");
        StringBuilder conf = new StringBuilder();
        for (Map.Entry<String, Object> e : TestDb.SQLITE.database(dir, table).entrySet()) {
            conf.append(e.getKey()).append(" = \"").append(e.getValue()).append("\"\n");
        }
        conf.append("keyfields { what { type = string, values = [stop_aware, stop_deaf] } }\n")
                .append("resultfields { phase = string }\n")
                .append(PythonFunctionContractTest.pythonBlock(
                        PythonFunctionContractTest.resource("cases.py") + ":run", runs, dir.resolve("pids.txt"), ""))
                .append("\nshutdown-grace = 2s\nspark.master = \"local[2]\"\n")
                .append("spark.conf { \"spark.ui.enabled\" = false }\n");
        Path file = Files.writeString(dir.resolve(table + ".conf"), conf);
        Experimenter ex = Experimenter.load(file);
        ExperimentStore store = TestDb.store(ex);
        ex.fill();
        long aware = PythonFunctionContractTest.id(store, "stop_aware");
        long deaf = PythonFunctionContractTest.id(store, "stop_deaf");
        Path awarePids = PythonFunctionContractTest.scratch(runs, table, aware).resolve("pids");
        Path deafPids = PythonFunctionContractTest.scratch(runs, table, deaf).resolve("pids");
        Process driver = Faults.startDriver(dir.resolve("driver.out"), file);
        try {
            Faults.await(
                    "both functions running",
                    Duration.ofSeconds(180),
                    () -> Files.exists(awarePids) && Files.exists(deafPids) ? true : null);
            Thread.sleep(300);
            driver.destroy(); // SIGTERM
            assertTrue(driver.waitFor(90, TimeUnit.SECONDS), "the driver exits");

            Map<String, Object> a = store.row(aware);
            String out = Files.readString(dir.resolve("driver.out"));
            assertEquals("paused", a.get("status"), a.get("error") + out);
            assertEquals("checkpointed", a.get("phase"));
            assertEquals(
                    "saved at stop",
                    Files.readString(PythonFunctionContractTest.scratch(runs, table, aware)
                            .resolve("checkpoint")));

            Map<String, Object> d = store.row(deaf);
            assertEquals("created", d.get("status"), "the row of the function that outlived the grace is released");
            for (String pid : Files.readString(deafPids).trim().split(" ")) {
                assertFalse(PythonFunctionContractTest.running(Long.parseLong(pid)), "process " + pid + " is gone");
            }
            String awarePid = Files.readString(awarePids).trim();
            assertFalse(
                    PythonFunctionContractTest.running(Long.parseLong(awarePid)), "the idle worker ended with the JVM");
        } finally {
            driver.destroyForcibly();
            ex.drop();
        }
    }
}
