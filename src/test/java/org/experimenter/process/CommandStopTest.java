package org.experimenter.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.experimenter.Experimenter;
import org.experimenter.store.ExperimentStore;
import org.experimenter.testing.ChildJvm;
import org.experimenter.testing.Faults;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM to a driver JVM, or SIGINT to its process group as a terminal's Ctrl-C, while two
 * commands run (local[2], SQLite, a 2 s shutdown grace): the one that watches {@code
 * experimenter.stopping()} saves a checkpoint and pauses; the one that does not is terminated with its SIGTERM-deaf grandchild when the grace runs out, and its row
 * goes back to created.
 */
class CommandStopTest {
    /** How the test stops a running driver. */
    private interface Stop {
        void stop(Process driver) throws Exception;
    }

    @Test
    void onStopACommandIsToldAndOneThatIgnoresItEndsWithItsTreeWhenTheGraceRunsOut() throws Exception {
        stopWhileTwoCommandsRun(false, Process::destroy); // SIGTERM to the driver JVM
    }

    /**
     * Ctrl-C in a terminal: SIGINT to the whole foreground process group, the driver started in a
     * group of its own standing for the terminal's. The commands run in sessions of their own, so
     * the signal reaches the driver alone, whose stop ends them as a SIGTERM does; before, each
     * command got the SIGINT itself and its row ended as error.
     */
    @Test
    void ctrlCToTheDriversProcessGroupReachesOnlyTheDriverWhichStopsItsCommandsGracefully() throws Exception {
        stopWhileTwoCommandsRun(true, driver -> {
            Process kill = new ProcessBuilder("kill", "-INT", "--", "-" + driver.pid())
                    .inheritIO()
                    .start();
            assertEquals(0, kill.waitFor(), "kill -INT to the driver's process group");
        });
    }

    /** The command line in a JVM of its own, in its own session and process group when asked. */
    private static Process startDriver(Path out, Path conf, boolean ownGroup) throws Exception {
        if (!ownGroup) {
            return Faults.startDriver(out, conf);
        }
        // a terminal's foreground process gets SIGINT with its default action, even when this test
        // runs where SIGINT is ignored (a background job of a shell without job control, which every
        // child inherits and a JVM then never hears): set back to the default before the JVM starts
        List<String> cmd = new ArrayList<>(List.of(
                "setsid",
                "/usr/bin/python3",
                "-c",
                "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL);"
                        + " os.execvp(sys.argv[1], sys.argv[1:])"));
        cmd.addAll(ChildJvm.javaCommand("org.experimenter.cli.Main", "run", "--config", conf.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("SPARK_HOME", ChildJvm.sparkHome().toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.redirectErrorStream(true);
        pb.redirectOutput(out.toFile());
        return pb.start();
    }

    private void stopWhileTwoCommandsRun(boolean ownGroup, Stop how) throws Exception {
        String table = TestDb.uniqueTable("command_stop");
        Path dir = Faults.runDir(table);
        Path runs = dir.resolve("runs");
        StringBuilder conf = new StringBuilder();
        for (Map.Entry<String, Object> e : TestDb.SQLITE.database(dir, table).entrySet()) {
            conf.append(e.getKey()).append(" = \"").append(e.getValue()).append("\"\n");
        }
        conf.append("keyfields { what { type = string, values = [stop_aware, stop_deaf] } }\n")
                .append("resultfields { phase = string }\n")
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
        Process driver = startDriver(dir.resolve("driver.out"), file, ownGroup);
        try {
            Faults.await(
                    "both commands running",
                    Duration.ofSeconds(120),
                    () -> Files.exists(awarePids) && Files.exists(deafPids) ? true : null);
            Thread.sleep(300);
            how.stop(driver);
            assertTrue(driver.waitFor(60, TimeUnit.SECONDS), "the driver exits");

            Map<String, Object> a = store.row(aware);
            assertEquals(
                    "paused",
                    a.get("status"),
                    String.valueOf(a.get("error")) + Files.readString(dir.resolve("driver.out")));
            assertEquals("checkpointed", a.get("phase"));
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
            // a driver killed by SIGKILL ends no command: a failed test leaves none behind
            for (Path pids : List.of(awarePids, deafPids)) {
                if (Files.exists(pids)) {
                    for (String pid : Files.readString(pids).trim().split(" ")) {
                        ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
            }
            ex.drop();
        }
    }
}
