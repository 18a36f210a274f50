// The value of resources (and of each level of resources.escalate): what one row is given.
package org.experimenter.config;

import java.io.Serializable;

/**
 * What one attempt at a row is given: GPUs and CPU cores, which Spark schedules (a task asks for
 * them, so a node runs at most as many rows at once as it has GPUs), and memory, which the row
 * is told ({@code EXPERIMENTER_MEMORY_MB}) to size itself by.
 *
 * @param gpus GPUs per row; 0 for none
 * @param cpus CPU cores per row (Spark's task cpus)
 * @param memory bytes per row; 0 when not set
 */
public record Resources(int gpus, int cpus, long memory) implements Serializable {
    private static final long KB = 1024;

    /** Whether the config asks for anything beyond Spark's defaults (no GPU, one core, no memory). */
    public boolean any() {
        return gpus > 0 || cpus != 1 || memory > 0;
    }

    /** The same with another memory. */
    public Resources withMemory(long bytes) {
        return new Resources(gpus, cpus, bytes);
    }

    /** Memory in whole mebibytes, for the environment of commands and Python workers. */
    public long memoryMb() {
        return memory / (KB * KB);
    }

    /** As the attempts table keeps it: {@code gpus=1 cpus=2 memory=8g}. */
    @Override
    public String toString() {
        return "gpus=" + gpus + " cpus=" + cpus + (memory > 0 ? " memory=" + size(memory) : "");
    }

    /** 8589934592 as 8g, 536870912 as 512m: the largest unit that divides it. */
    public static String size(long bytes) {
        String[] units = {"t", "g", "m", "k"};
        long unit = KB * KB * KB * KB;
        for (String u : units) {
            if (bytes % unit == 0) {
                return bytes / unit + u;
            }
            unit /= KB;
        }
        return Long.toString(bytes);
    }
}
