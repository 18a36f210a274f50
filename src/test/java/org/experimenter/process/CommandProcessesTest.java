package org.experimenter.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.experimenter.Experimenter;
import org.experimenter.testing.Faults;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processes of a command row, run by run-one (the claim path, a real shell, real processes,
 * SQLite): whatever a command starts ends with its row, however it escaped its parent (a
 * background child of a shell that exited, a subshell's orphan, a {@code setsid} daemon, a
 * Python double fork into a new session), on success and on a timeout; each process is found
 * in /proc by a sleep argument no other process has.
 */
class CommandProcessesTest {
    /** A sleep argument unique to this test run: 3131.&lt;random digits&gt;. */
    private static final String TAG =
            Integer.toString(ThreadLocalRandom.current().nextInt(100_000, 1_000_000));

    @TempDir
    Path dir;

    private Experimenter experimenter(String timeout) {
        String script = String.join(
                "\n",
                "case {what} in",
                "  double_fork) sleep 3131." + TAG + " & ;;",
                "  subshell) ( sleep 3232." + TAG + " & ) ; sleep 600 ;;",
                "  setsid) setsid sleep 3333." + TAG + " & ;;",
                "  python) python3 -c 'import os; os.fork() or (os.setsid(), os.fork() or"
                        + " os.execvp(\"sleep\", [\"sleep\", \"3535." + TAG + "\"])); os._exit(0)' ;;",
                "  deaf) trap '' TERM; sleep 3434." + TAG + " ;;",
                "esac",
                "echo '{{\"echo\": \"ok\"}}' > \"$EXPERIMENTER_RESULT_FILE\"");
        return Experimenter.of(TestDb.SQLITE.config(
                dir,
                TestDb.uniqueTable("command_procs"),
                "keyfields { what { type = string, values = [double_fork] } }\nresultfields { echo = string }\n"
                        + "timeout = " + timeout + "\n"
                        + "experiment {\n  shell = true\n  kill-grace = 3s\n  run-dir = \"" + dir.resolve("runs")
                        + "\"\n  command = " + quote(script) + "\n}\n"));
    }

    /** A HOCON string. */
    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    @Test
    void processesACommandLeftBehindWhenItExitedEndWithItsRow() throws Exception {
        Experimenter ex = experimenter("60s");
        for (String what : List.of("double_fork", "setsid", "python")) {
            Map<String, Object> row = ex.runOne(Map.of("what", what), ex.experimentFromConfig());
            assertEquals("done", row.get("status"), what + ": " + row.get("error"));
        }
        assertEquals(List.of(), sleeping(), "no sleep of the rows is left");
    }

    @Test
    void aTimedOutCommandEndsWithTheOrphanOfItsSubshellAndWaitingForItsTreeIsNoAbandonedThread() throws Exception {
        Experimenter ex = experimenter("2s");
        List<String> warnings = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                warnings.add(r.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger claims = Logger.getLogger("org.experimenter.spark.ClaimRunner");
        claims.addHandler(capture);
        try {
            for (String what : List.of("subshell", "deaf")) {
                Map<String, Object> row = ex.runOne(Map.of("what", what), ex.experimentFromConfig());
                assertEquals("error", row.get("status"), what);
                assertTrue(String.valueOf(row.get("error")).startsWith("timeout: "), what + ": " + row.get("error"));
            }
        } finally {
            claims.removeHandler(capture);
        }
        // the deaf command ignored SIGTERM: its tree took kill-grace (3s) to end, longer than a
        // thread is given to answer its interrupt, and that is no abandoned thread
        assertEquals(List.of(), warnings);
        assertEquals(List.of(), sleeping(), "no sleep of the rows is left");
    }

    /**
     * A driver killed by SIGKILL runs no hook: its commands end anyway (the watcher of the JVM's
     * pipe kills their tree), so they do not run on beside the attempt recovery starts again. Each
     * command leaves four processes outside its process group: a child in a session of its own,
     * one that also cleared its environment (a child of a member all the same), a grandchild in
     * the session another member made, and an orphan of a double fork in a group of its own,
     * without the token, whose name holds a newline (found by its session alone).
     */
    @Test
    void theCommandsOfADriverKilledBySigkillEndWithIt() throws Exception {
        Path hide = dir.resolve("hide.py");
        Files.writeString(
                hide,
                String.join(
                        "\n",
                        "import ctypes, os, sys, time",
                        "if os.fork():",
                        "    sys.exit(0)",
                        "os.setpgid(0, 0)",
                        "ctypes.CDLL(None).prctl(15, b'x\\n', 0, 0, 0)",
                        "time.sleep(3600)",
                        ""));
        String command = ("setsid sleep 3636.@ & setsid env -i sleep 3636.@ & (setsid sh -c 'sleep 3636.@ & wait') &"
                        + " env -i /usr/bin/python3 " + hide + " 3636.@ hidden & sleep 3636.@; wait")
                .replace("@", TAG);
        Process driver = startDriver("command_orphans", "\"/bin/sh\", \"-c\", \"" + command + "\"", "");
        try {
            awaitTagged(driver, 10);
            driver.destroyForcibly().waitFor();
            assertAllEnd();
        } finally {
            cleanUp(driver);
        }
    }

    /**
     * The same while the tool ends timed-out rows, within their kill grace (the commands ignore
     * SIGTERM, so their grace runs on): the watcher outlives the tool's SIGTERM to every process
     * of the tree, and a command's signal to its own process group (SIGUSR1, which it ignores).
     */
    @Test
    void theCommandsOfADriverKilledBySigkillInTheirKillGraceEndWithIt() throws Exception {
        Path term = dir.resolve("term");
        String command =
                "trap '' USR1; kill -USR1 0; trap 'touch " + term + "' TERM; while :; do sleep 3636." + TAG + "; done";
        Process driver =
                startDriver("command_grace", "\"/bin/sh\", \"-c\", \"" + command + "\"", "  kill-grace = 600s\n");
        try {
            awaitTagged(driver, 2);
            Faults.await(
                    "a timed-out row's SIGTERM",
                    java.time.Duration.ofSeconds(60),
                    () -> Files.exists(term) ? true : null);
            driver.destroyForcibly().waitFor();
            assertAllEnd();
        } finally {
            cleanUp(driver);
        }
    }

    /** A driver (a JVM of its own) running two rows of the command on SQLite, with a timeout of 3 s. */
    private Process startDriver(String prefix, String command, String experimentKeys) throws Exception {
        String table = TestDb.uniqueTable(prefix);
        Path conf = dir.resolve(table + ".conf");
        StringBuilder c = new StringBuilder();
        for (java.util.Map.Entry<String, Object> e :
                TestDb.SQLITE.database(dir, table).entrySet()) {
            c.append(e.getKey()).append(" = \"").append(e.getValue()).append("\"\n");
        }
        c.append("keyfields { n { type = int, values = [1, 2] } }\nresultfields { echo = string }\n")
                .append("spark.master = \"local[2]\"\ntimeout = 3s\n")
                .append("experiment {\n  command = [")
                .append(command)
                .append("]\n")
                .append(experimentKeys)
                .append("  run-dir = \"")
                .append(dir.resolve("runs"))
                .append("\"\n}\n");
        Files.writeString(conf, c);
        Experimenter ex = Experimenter.load(conf);
        ex.fill();
        return Faults.startDriver(dir.resolve(prefix + ".out"), conf);
    }

    private void awaitTagged(Process driver, int count) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(180);
        List<String> found = List.of();
        // exactly: a double fork's parent shows for a moment beside its child
        while (System.nanoTime() < deadline && (found = sleeping3636()).size() != count) {
            Thread.sleep(200);
        }
        assertEquals(count, found.size(), "the commands' processes run: " + found);
    }

    private static void assertAllEnd() throws Exception {
        long gone = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < gone && !sleeping3636().isEmpty()) {
            Thread.sleep(100);
        }
        assertEquals(List.of(), sleeping3636(), "no command of the killed driver is left");
    }

    private static void cleanUp(Process driver) throws Exception {
        driver.destroyForcibly();
        for (String p : sleeping3636()) {
            ProcessHandle.of(Long.parseLong(p.substring(0, p.indexOf(':')))).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static List<String> sleeping3636() throws IOException {
        List<String> found = new ArrayList<>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path p : proc) {
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    if (cmd.startsWith("sleep 3636." + TAG)
                            || (cmd.startsWith("/usr/bin/python3 ") && cmd.endsWith(" 3636." + TAG + " hidden "))) {
                        ProcessHandle.of(Long.parseLong(p.getFileName().toString()))
                                .filter(ProcessTree::running)
                                .ifPresent(h -> found.add(h.pid() + ": " + cmd));
                    }
                } catch (IOException | NumberFormatException e) {
                    // not a process, or gone meanwhile
                }
            }
        }
        return found;
    }

    /**
     * The command lines of the running processes started with this test's sleep argument, after
     * a moment in which an escaped fork would have become its sleep.
     */
    static List<String> sleeping() throws IOException, InterruptedException {
        Thread.sleep(500);
        List<String> found = new ArrayList<>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path p : proc) {
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    if (cmd.contains("." + TAG) && cmd.startsWith("sleep ")) {
                        ProcessHandle.of(Long.parseLong(p.getFileName().toString()))
                                .filter(ProcessTree::running)
                                .ifPresent(h -> found.add(h.pid() + ": " + cmd));
                    }
                } catch (IOException | NumberFormatException e) {
                    // not a process, or gone meanwhile
                }
            }
        }
        return found;
    }
}
