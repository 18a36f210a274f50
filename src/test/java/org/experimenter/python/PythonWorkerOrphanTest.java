package org.experimenter.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.experimenter.process.ProcessTree;
import org.experimenter.testing.Faults;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker whose JVM died by SIGKILL (no hook of it ran) ends its tree by itself, as the JVM
 * would have: what its function started in a session of its own too, since that carries the tree's
 * token. The JVM here is a shell killed by SIGKILL, the worker started under it as a JVM starts it.
 */
class PythonWorkerOrphanTest {
    @TempDir
    Path dir;

    @Test
    void aWorkerWhoseJvmDiedEndsWhatItStartedOutsideItsSession() throws Exception {
        WorkerFiles files = WorkerFiles.get();
        Path module = Files.writeString(
                dir.resolve("escaping.py"),
                String.join(
                        "\n",
                        "import os, subprocess, sys",
                        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'],",
                        "                         start_new_session=True)",
                        "with open(os.environ['ESCAPED_PID'], 'w') as f:",
                        "    f.write(str(child.pid))",
                        "def run(parameters, result_processor, custom_config):",
                        "    pass",
                        ""));
        Path escapedPid = dir.resolve("escaped.pid");
        // the worker in a session of its own (as ProcessTree starts it), its input the shell's, which stays open
        ProcessBuilder pb = new ProcessBuilder(
                "sh",
                "-c",
                "exec 3<&0; setsid \"$@\" <&3 3<&- & wait",
                "sh",
                PythonFunctionContractTest.python(),
                files.worker().toString(),
                module + ":run",
                files.shim().toString());
        pb.environment().put("PYTHONPATH", files.lib().toString());
        pb.environment().put(ProcessTree.TOKEN_VARIABLE, UUID.randomUUID().toString());
        pb.environment().put("ESCAPED_PID", escapedPid.toString());
        pb.redirectError(dir.resolve("worker.log").toFile());
        Process shell = pb.start();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.UTF_8))) {
            String ready = out.readLine();
            assertTrue(
                    ready != null && ready.contains("\"ready\""),
                    ready + " " + Files.readString(dir.resolve("worker.log")));
            long worker = Long.parseLong(ready.replaceAll(".*\"ready\": *(\\d+).*", "$1"));
            ProcessHandle escaped = ProcessHandle.of(
                            Long.parseLong(Files.readString(escapedPid).trim()))
                    .orElseThrow();
            assertNotEquals(sessionOf(worker), sessionOf(escaped.pid()), "the function's child left the session");

            shell.destroyForcibly(); // SIGKILL: the worker's parent is gone, and nothing ended it
            assertEquals(137, shell.waitFor());
            Faults.await(
                    "the worker and the process its function started outside its session ended",
                    Duration.ofSeconds(20),
                    () -> !ProcessTree.running(escaped)
                                    && ProcessHandle.of(worker)
                                            .map(h -> !ProcessTree.running(h))
                                            .orElse(true)
                            ? true
                            : null);
        } finally {
            shell.destroyForcibly();
            String pid = Files.exists(escapedPid) ? Files.readString(escapedPid).trim() : "";
            if (!pid.isEmpty()) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    private static long sessionOf(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[3]);
    }
}
