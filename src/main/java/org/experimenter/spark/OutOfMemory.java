package org.experimenter.spark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Whether an experiment's failure shows the signs of running out of memory: the JVM's
 * OutOfMemoryError, "out of memory" in the error text (CUDA's "CUDA out of memory", "CUDA error:
 * out of memory"; the stderr of a command is part of its error), Python's MemoryError; or a
 * process killed by SIGKILL (exit 137) while the kernel's OOM killer ended a process. SIGKILL
 * alone is no sign: {@code kill -9}, a scheduler and an out-of-memory kill all end a process so.
 * The kernel counts its OOM kills, the global OOM killer's and every memory cgroup's, in
 * {@code /proc/vmstat} ({@code oom_kill}, Linux 4.13 and later); a SIGKILL while that count rose
 * is taken for one. Where the count cannot be read, a SIGKILL is said to be possibly out of
 * memory and is not escalated.
 */
final class OutOfMemory {
    private static final Pattern MEMORY_TEXT = Pattern.compile("out of memory|outofmemoryerror|\\bmemoryerror\\b");
    private static final Pattern KILLED =
            Pattern.compile("killed by signal 9 \\(sigkill\\)|exit code 137\\b|exited with code 137\\b");
    private static final Path VMSTAT = Path.of("/proc/vmstat");
    private static final byte[] OOM_KILL = "oom_kill ".getBytes(StandardCharsets.US_ASCII);

    /**
     * What a failure says of memory.
     *
     * @param outOfMemory whether the attempt ends with error kind oom (and may escalate)
     * @param note a line the row's error gets on how a SIGKILL was read; null for none
     */
    record Verdict(boolean outOfMemory, String note) {}

    private OutOfMemory() {}

    /**
     * How many processes the kernel's OOM killer has ended since boot, on this machine (every
     * cgroup's, as /proc/vmstat counts them); -1 where that cannot be read (not Linux, or older
     * than 4.13).
     */
    static long kernelOomKills() {
        try {
            return oomKillsIn(Files.readAllBytes(VMSTAT));
        } catch (IOException | RuntimeException e) {
            // no such file, or not as Linux writes it: no evidence either way
            return -1;
        }
    }

    /**
     * The value of the {@code oom_kill} line of a /proc/vmstat text, -1 when there is none; read as
     * bytes, since every attempt reads it twice and the file has some 180 lines.
     */
    static long oomKillsIn(byte[] vmstat) {
        for (int line = 0; line < vmstat.length; ) {
            int end = line;
            while (end < vmstat.length && vmstat[end] != '\n') {
                end++;
            }
            if (startsWith(vmstat, line, OOM_KILL)) {
                long n = 0;
                int digits = 0;
                for (int i = line + OOM_KILL.length; i < end && vmstat[i] >= '0' && vmstat[i] <= '9'; i++) {
                    n = n * 10 + (vmstat[i] - '0');
                    digits++;
                }
                return digits > 0 ? n : -1;
            }
            line = end + 1;
        }
        return -1;
    }

    private static boolean startsWith(byte[] text, int at, byte[] prefix) {
        if (at + prefix.length > text.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (text[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads the failure of an experiment that runs in this JVM: it has no process of its own that
     * a SIGKILL could end, so only the JVM's and the error text's signs count.
     */
    static Verdict inThisJvm(Throwable failure) {
        return new Verdict(memorySign(failure), null);
    }

    /**
     * Reads the failure of an experiment that runs processes, given the kernel's count of OOM
     * kills ({@link #kernelOomKills}) before the attempt started and after it failed.
     */
    static Verdict of(Throwable failure, long oomKillsBefore, long oomKillsAfter) {
        if (memorySign(failure)) {
            return new Verdict(true, null);
        }
        if (!textMatches(failure, KILLED)) {
            return new Verdict(false, null);
        }
        if (oomKillsBefore < 0 || oomKillsAfter < 0) {
            return new Verdict(
                    false,
                    "killed by SIGKILL (possibly out of memory): this machine does not show the"
                            + " kernel's OOM kills (/proc/vmstat oom_kill), so the row is not taken to be out of memory");
        }
        if (oomKillsAfter > oomKillsBefore) {
            return new Verdict(
                    true,
                    "killed by SIGKILL while the kernel's OOM killer ended " + (oomKillsAfter - oomKillsBefore)
                            + " process(es) (/proc/vmstat oom_kill): out of memory");
        }
        return new Verdict(
                false,
                "killed by SIGKILL, but the kernel's OOM killer ended no process meanwhile"
                        + " (/proc/vmstat oom_kill): not out of memory (as by kill -9, or a scheduler)");
    }

    /** The JVM's OutOfMemoryError, or the text of running out of memory, anywhere in the causes. */
    private static boolean memorySign(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return true;
            }
        }
        return textMatches(failure, MEMORY_TEXT);
    }

    private static boolean textMatches(Throwable failure, Pattern pattern) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            if (m != null && pattern.matcher(m.toLowerCase(Locale.ROOT)).find()) {
                return true;
            }
        }
        return false;
    }
}
