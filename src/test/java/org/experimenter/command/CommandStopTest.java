package org.experimenter.command;

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
 * SIGTERM to a driver JVM while two commands run (local[2], SQLite, a 2 s shutdown grace): the
 * one that watches {@code experimenter.stopping()} saves a checkpoint and pauses; the one that
 * does not is terminated with its SIGTERM-deaf grandchild when the grace runs out, and its row
 * goes back to created.
 */
class CommandStopTest {
    @Test
    void onStopACommandIsToldAndOneThatIgnoresItEndsWithItsTreeWhenTheGraceRunsOut() throws Exception {
        String table = TestDb.uniqueTable("command_stop");
        Path dir = Faults.runDir(table);
        Path runs = dir.resolve("runs");
        StringBuilder conf = new StringBuilder();
        for (Map.Entry<String, Object> e : TestDb.SQLITE.database(dir, table).entrySet()) {
            conf.append(e.getKey()).append(" = \"").append(e.getValue()).append("\"\n");
        }
        conf.append("keyfields { what { type = string, values = [stop_aware, stop_deaf] } }\n")
                .append("resultfields { stage = string }\n")
                .append("experiment {\n  command = [\"")
                .append(CommandExperimentContractTest.python())
                .append("\", \"")
                .append(CommandExperimentContractTest.script("cases.py"))
                .append("\", \"--what\", \"{what}\"]\n  kill-grace = 1s\n  run-dir = \"")
                .append(runs)
                .append("\"\n}\n")
                .append(
                        "shutdown-grace = 2s\nspark.master = \"local[2]\"\nspark.conf { \"spark.ui.enabled\" = false }\n");
        Path file = Files.writeString(dir.resolve(table + ".conf"), conf);
        Experimenter ex = Experimenter.load(file);
        ExperimentStore store = TestDb.store(ex);
        ex.fill();
        long aware = CommandExperimentContractTest.id(store, "stop_aware");
        long deaf = CommandExperimentContractTest.id(store, "stop_deaf");
        Path awarePids =
                CommandExperimentContractTest.scratch(runs, table, aware).resolve("pids");
        Path deafPids = CommandExperimentContractTest.scratch(runs, table, deaf).resolve("pids");
        Process driver = Faults.startDriver(dir.resolve("driver.out"), file);
        try {
            Faults.await(
                    "both commands running",
                    Duration.ofSeconds(120),
                    () -> Files.exists(awarePids) && Files.exists(deafPids) ? true : null);
            Thread.sleep(300);
            driver.destroy(); // SIGTERM
            assertTrue(driver.waitFor(60, TimeUnit.SECONDS), "the driver exits");

            Map<String, Object> a = store.row(aware);
            assertEquals(
                    "paused",
                    a.get("status"),
                    String.valueOf(a.get("error")) + Files.readString(dir.resolve("driver.out")));
            assertEquals("checkpointed", a.get("stage"));
            assertEquals(
                    "saved at stop",
                    Files.readString(CommandExperimentContractTest.scratch(runs, table, aware)
                            .resolve("checkpoint")));

            Map<String, Object> d = store.row(deaf);
            assertEquals("created", d.get("status"), "the row of the command that outlived the grace is released");
            assertEquals(0, d.get("attempt"));
            for (String pid : Files.readString(deafPids).trim().split(" ")) {
                assertFalse(CommandExperimentContractTest.running(Long.parseLong(pid)), "process " + pid + " is gone");
            }
        } finally {
            driver.destroyForcibly();
            ex.drop();
        }
    }
}
