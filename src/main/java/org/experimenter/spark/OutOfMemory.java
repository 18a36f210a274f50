package org.experimenter.spark;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Whether an experiment's failure shows the signs of running out of memory: the JVM's
 * OutOfMemoryError, a process killed by SIGKILL (exit 137: the kernel's or a cgroup's OOM
 * killer), or "out of memory" in the error text (CUDA's "CUDA out of memory", "CUDA error: out of
 * memory"; the stderr of a command is part of its error), or Python's MemoryError.
 */
final class OutOfMemory {
    private static final Pattern SIGNS = Pattern.compile(
            "out of memory|outofmemoryerror|\\bmemoryerror\\b|exit code 137\\b|exited with code 137\\b");

    private OutOfMemory() {}

    static boolean seen(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return true;
            }
            String m = t.getMessage();
            if (m != null && SIGNS.matcher(m.toLowerCase(Locale.ROOT)).find()) {
                return true;
            }
        }
        return false;
    }
}
