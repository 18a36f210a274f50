package org.experimenter.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.experimenter.process.ProcessTree;
import org.experimenter.testing.Faults;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A worker whose JVM died by SIGKILL (no hook of it ran) ends its tree by itself, as the JVM
 * would have: what its function's module started in sessions of their own too, one carrying the
 * tree's token, one with an environment of its own. The JVM here is a shell, the worker started
 * under it in a session of its own, its input the shell's: the shell killed by SIGKILL, or the
 * input ending without the tool's goodbye (whole, or in the middle of a line) while it lives.
 * And a goodbye that comes while the function waits for an event's answer (a timeout, a stop)
 * leaves the tree to be ended as the tool ends it: what the function started gets its SIGTERM
 * and its grace.
 */
class PythonWorkerOrphanTest {
    @TempDir
    Path dir;

    enum JvmEnd {
        KILLED,
        INPUT_ENDED,
        INPUT_CUT_IN_A_LINE
    }

    private Process worker(String module) throws Exception {
        WorkerFiles files = WorkerFiles.get();
        Path py = Files.writeString(dir.resolve("escaping.py"), module);
        ProcessBuilder pb = new ProcessBuilder(
                "sh",
                "-c",
                "exec 3<&0; setsid \"$@\" <&3 3<&- & wait",
                "sh",
                PythonFunctionContractTest.python(),
                files.worker().toString(),
                py + ":run",
                files.shim().toString());
        pb.environment().put("PYTHONPATH", files.lib().toString());
        pb.environment().put(ProcessTree.TOKEN_VARIABLE, UUID.randomUUID().toString());
        pb.environment().put("SCRATCH", dir.toString());
        pb.redirectError(dir.resolve("worker.log").toFile());
        return pb.start();
    }

    private static long readyPid(BufferedReader out) {
        String ready = assertLine(out, "\"ready\"");
        return Long.parseLong(ready.replaceAll(".*\"ready\": *(\\d+).*", "$1"));
    }

    private static String assertLine(BufferedReader out, String part) {
        try {
            String line = out.readLine();
            assertTrue(line != null && line.contains(part), "expected " + part + ", got " + line);
            return line;
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest
    @EnumSource(JvmEnd.class)
    void aWorkerWhoseJvmDiedEndsWhatItStartedOutsideItsSession(JvmEnd end) throws Exception {
        Process shell = worker(String.join(
                "\n",
                "import os, subprocess, sys",
                "sleep = [sys.executable, '-c', 'import time; time.sleep(600)']",
                "marked = subprocess.Popen(sleep, start_new_session=True)",
                "unmarked = subprocess.Popen(sleep, start_new_session=True, env={'PATH': '/usr/bin:/bin'})",
                "with open(os.path.join(os.environ['SCRATCH'], 'pids'), 'w') as f:",
                "    f.write('%d %d' % (marked.pid, unmarked.pid))",
                "def run(parameters, result_processor, custom_config):",
                "    pass",
                ""));
        List<ProcessHandle> started = List.of();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.UTF_8))) {
            long worker = readyPid(out);
            started = java.util.Arrays.stream(
                            Files.readString(dir.resolve("pids")).trim().split(" "))
                    .map(p -> ProcessHandle.of(Long.parseLong(p)).orElseThrow())
                    .toList();
            for (ProcessHandle h : started) {
                assertNotEquals(sessionOf(worker), sessionOf(h.pid()), "the module's child left the session");
            }
            OutputStream in = shell.getOutputStream();
            switch (end) {
                case KILLED -> {
                    shell.destroyForcibly(); // SIGKILL: nothing ended the worker
                    assertEquals(137, shell.waitFor());
                }
                case INPUT_ENDED -> in.close(); // the shell waits for the worker: its parent stays
                case INPUT_CUT_IN_A_LINE -> {
                    in.write("{\"row\": {\"parameters\": {\"x".getBytes(StandardCharsets.UTF_8));
                    in.close();
                }
            }
            List<ProcessHandle> tree = new java.util.ArrayList<>(started);
            ProcessHandle.of(worker).ifPresent(tree::add);
            Faults.await(
                    "the worker and the processes its module started outside its session ended (" + end + ")",
                    Duration.ofSeconds(20),
                    () -> tree.stream().noneMatch(ProcessTree::running) ? true : null);
        } finally {
            shell.destroyForcibly();
            started.forEach(ProcessHandle::destroyForcibly);
        }
    }

    @org.junit.jupiter.api.Test
    void aGoodbyeWhileTheFunctionWaitsForAnAnswerLeavesItsChildrenTheirGrace() throws Exception {
        Path finished = dir.resolve("finished");
        Process shell = worker(String.join(
                "\n",
                "import os, signal, subprocess, time",
                "import experimenter",
                "def run(parameters, result_processor, custom_config):",
                "    signal.signal(signal.SIGTERM, lambda *_: None)  # as one that saves its state on SIGTERM",
                "    subprocess.Popen(['sh', '-c', 'trap \"sleep 1; touch " + finished
                        + "; exit 0\" TERM; while :; do sleep 0.1; done'])",
                "    time.sleep(0.5)",
                "    experimenter.result(a=1)",
                "    time.sleep(0.5)",
                "    experimenter.result(b=2)",
                ""));
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.UTF_8))) {
            long worker = readyPid(out);
            Path attempt = dir.resolve("attempt");
            OutputStream in = shell.getOutputStream();
            in.write(("{\"row\": {\"parameters\": {}, \"custom\": {}, \"stdout\": \"" + attempt.resolve("stdout.txt")
                            + "\", \"stderr\": \"" + attempt.resolve("stderr.txt") + "\"}}\n")
                    .getBytes(StandardCharsets.UTF_8));
            in.flush();
            assertLine(out, "\"put\"");
            // what PythonWorker.end does: goodbye, the input closed, SIGTERM to the tree, the grace
            in.write("{\"goodbye\": true}\n".getBytes(StandardCharsets.UTF_8));
            in.close();
            new ProcessBuilder("kill", "-TERM", "--", "-" + worker).start().waitFor();
            Faults.await(
                    "the function's child ending in its grace after SIGTERM",
                    Duration.ofSeconds(20),
                    () -> Files.exists(finished) ? true : null);
        } finally {
            new ProcessBuilder("kill", "-KILL", "--", "-" + worker(shell))
                    .start()
                    .waitFor();
            shell.destroyForcibly();
        }
    }

    private static long worker(Process shell) {
        return shell.descendants().mapToLong(ProcessHandle::pid).findFirst().orElse(shell.pid());
    }

    private static long sessionOf(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[3]);
    }
}
