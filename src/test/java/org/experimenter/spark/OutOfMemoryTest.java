package org.experimenter.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.experimenter.ExperimenterException;
import org.experimenter.process.ProcessTree;
import org.junit.jupiter.api.Test;

/**
 * A process ended by SIGKILL (exit 137) is out of memory only when the kernel's OOM killer ended
 * one meanwhile: real processes, one killed as {@code kill -9} does, one killed by the kernel in
 * a memory cgroup too small for it.
 */
class OutOfMemoryTest {
    @Test
    void theOomKillCountIsTheOomKillLineOfVmstatWhereverItStands() throws Exception {
        byte[] text = "nr_free_pages 12\noom_kill_other 7\noom_kill 42\nnr_zone 1\n".getBytes();
        assertEquals(42, OutOfMemory.oomKillsIn(text));
        assertEquals(3, OutOfMemory.oomKillsIn("oom_kill 3".getBytes()), "first line, no newline at the end");
        assertEquals(-1, OutOfMemory.oomKillsIn("oom_kill_other 7\n".getBytes()));
        assertEquals(-1, OutOfMemory.oomKillsIn("oom_kill \n".getBytes()));
        assertEquals(-1, OutOfMemory.oomKillsIn(new byte[0]));
        Path vmstat = Path.of("/proc/vmstat");
        assumeTrue(Files.isReadable(vmstat));
        // the same as the line read as text
        long expected = Files.readAllLines(vmstat).stream()
                .filter(l -> l.startsWith("oom_kill "))
                .mapToLong(l -> Long.parseLong(l.substring("oom_kill ".length()).trim()))
                .findFirst()
                .orElse(-1);
        assertEquals(expected, OutOfMemory.kernelOomKills());
    }

    @Test
    void aProcessKilledWithKillDashNineIsNotOutOfMemory() throws Exception {
        long before = OutOfMemory.kernelOomKills();
        assumeTrue(before >= 0, "this machine does not show the kernel's OOM kills (/proc/vmstat oom_kill)");
        Process p = new ProcessBuilder("sleep", "60").start();
        p.destroyForcibly(); // SIGKILL, as kill -9
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(137, p.exitValue());

        OutOfMemory.Verdict v = OutOfMemory.of(failure(p.exitValue()), before, OutOfMemory.kernelOomKills());

        assertFalse(v.outOfMemory(), "a SIGKILL without an OOM kill is no sign of memory: " + v);
        assertTrue(v.note().contains("not out of memory"), v.note());
    }

    @Test
    void aProcessTheKernelKillsForWantOfMemoryIsOutOfMemory() throws Exception {
        long before = OutOfMemory.kernelOomKills();
        assumeTrue(before >= 0, "this machine does not show the kernel's OOM kills (/proc/vmstat oom_kill)");
        Path cgroup =
                memoryCgroup("experimenter-oom-test-" + ProcessHandle.current().pid(), 32L << 20);
        assumeTrue(cgroup != null, "no memory cgroup can be made here (needs root and a writable cgroup file system)");
        try {
            // joins the 32 MB cgroup, then touches 512 MB: the kernel's OOM killer ends it
            Process p = new ProcessBuilder(
                            "sh",
                            "-c",
                            "echo $$ > " + cgroup.resolve("cgroup.procs")
                                    + " && exec python3 -c 'x = b\"a\" * (512 << 20)'")
                    .redirectErrorStream(true)
                    .start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(137, p.exitValue(), out);

            OutOfMemory.Verdict v = OutOfMemory.of(failure(p.exitValue()), before, OutOfMemory.kernelOomKills());

            assertTrue(v.outOfMemory(), "the kernel's OOM kill is the sign: " + v);
            assertTrue(v.note().endsWith("out of memory"), v.note());
        } finally {
            Files.deleteIfExists(cgroup);
        }
    }

    @Test
    void whereTheKernelsCountCannotBeReadASigkillIsPossiblyOutOfMemoryAndNotEscalated() {
        OutOfMemory.Verdict v = OutOfMemory.of(failure(137), -1, -1);

        assertFalse(v.outOfMemory());
        assertTrue(v.note().startsWith("killed by SIGKILL (possibly out of memory)"), v.note());
    }

    @Test
    void theOtherSignsNeedNoEvidence() {
        assertTrue(OutOfMemory.of(new OutOfMemoryError("Java heap space"), 0, 0).outOfMemory());
        assertTrue(OutOfMemory.of(new ExperimenterException("RuntimeError: CUDA out of memory"), 0, 0)
                .outOfMemory());
        assertTrue(OutOfMemory.of(new ExperimenterException("Traceback ...\nMemoryError"), 0, 0)
                .outOfMemory());
        OutOfMemory.Verdict other = OutOfMemory.of(failure(1), 0, 5);
        assertFalse(other.outOfMemory(), "an OOM kill elsewhere does not make exit 1 out of memory");
        assertEquals(null, other.note());
    }

    /** The failure of a command that exited with this code, as a command row's error says it. */
    private static ExperimenterException failure(int code) {
        return new ExperimenterException("the command " + ProcessTree.exitText(code) + ": sh -c ...");
    }

    /**
     * A new memory cgroup with this limit (cgroup v1's memory controller, or v2 where the root
     * hands memory to its children); null where this user cannot make one.
     */
    private static Path memoryCgroup(String name, long limitBytes) {
        Path v1 = Path.of("/sys/fs/cgroup/memory");
        Path v2 = Path.of("/sys/fs/cgroup");
        try {
            if (Files.exists(v1.resolve("memory.limit_in_bytes"))) {
                Path dir = Files.createDirectory(v1.resolve(name));
                Files.writeString(dir.resolve("memory.limit_in_bytes"), Long.toString(limitBytes));
                return dir;
            }
            if (Files.exists(v2.resolve("cgroup.subtree_control"))
                    && Files.readString(v2.resolve("cgroup.subtree_control")).contains("memory")) {
                Path dir = Files.createDirectory(v2.resolve(name));
                Files.writeString(dir.resolve("memory.max"), Long.toString(limitBytes));
                if (Files.exists(dir.resolve("memory.swap.max"))) {
                    Files.writeString(dir.resolve("memory.swap.max"), "0");
                }
                return dir;
            }
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
        return null;
    }
}
