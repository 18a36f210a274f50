package org.experimenter.energy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU time the whole host has spent busy, from the first line of {@code /proc/stat}: user,
 * nice, system, irq, softirq and steal, in clock ticks of 1/100 s (USER_HZ on Linux). The share
 * of RAPL energy an attempt is charged is its own CPU time over this, over the same interval.
 */
public final class HostCpu {
    private static final double TICKS_PER_SECOND = 100.0;
    private final Path stat;

    public HostCpu(Path stat) {
        this.stat = stat;
    }

    /** Busy seconds since boot, or NaN when the file cannot be read (not Linux). */
    public double busySeconds() {
        try {
            String first = Files.readAllLines(stat).get(0);
            String[] f = first.trim().split("\\s+");
            if (!f[0].equals("cpu")) {
                return Double.NaN;
            }
            long busy = 0;
            int[] fields = {1, 2, 3, 6, 7, 8}; // user nice system [idle iowait] irq softirq steal
            for (int i : fields) {
                if (i < f.length) {
                    busy += Long.parseLong(f[i]);
                }
            }
            return busy / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
