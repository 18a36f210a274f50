package org.experimenter.energy;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Linux's RAPL energy counters under {@code /sys/class/powercap}: one {@code intel-rapl:<n>}
 * folder per processor package, whose {@code energy_uj} counts microjoules and wraps to 0 after
 * {@code max_energy_range_uj}. Sub-domains ({@code intel-rapl:<n>:<m>}: cores, uncore, dram) are
 * parts of their package's count and left out. Since 2020 the counters are readable by root
 * only on most distributions; {@link #at} then finds none and attempts are estimated.
 */
public final class Rapl {
    private final List<Path> counters;
    private final long[] ranges;

    private Rapl(List<Path> counters, long[] ranges) {
        this.counters = counters;
        this.ranges = ranges;
    }

    /** The readable package counters under root, or null when there is none. */
    public static Rapl at(Path root) {
        List<Path> counters = new ArrayList<>();
        List<Long> ranges = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            List<Path> sorted = new ArrayList<>();
            dirs.forEach(sorted::add);
            sorted.sort(null);
            for (Path d : sorted) {
                String name = d.getFileName().toString();
                // intel-rapl:0 is a package; intel-rapl:0:0 one of its parts; intel-rapl itself the control type
                if (!name.matches("intel-rapl:\\d+")) {
                    continue;
                }
                Path energy = d.resolve("energy_uj");
                try {
                    readLong(energy);
                    long range = readLong(d.resolve("max_energy_range_uj"));
                    counters.add(energy);
                    ranges.add(range);
                } catch (IOException | NumberFormatException unreadable) {
                    // not readable by this user: estimate instead
                }
            }
        } catch (IOException | SecurityException none) {
            return null;
        }
        if (counters.isEmpty()) {
            return null;
        }
        long[] r = new long[ranges.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = ranges.get(i);
        }
        return new Rapl(List.copyOf(counters), r);
    }

    /** The counters now, in microjoules; null when one cannot be read any more. */
    public long[] read() {
        long[] out = new long[counters.size()];
        for (int i = 0; i < out.length; i++) {
            try {
                out[i] = readLong(counters.get(i));
            } catch (IOException | NumberFormatException e) {
                return null;
            }
        }
        return out;
    }

    /**
     * Joules spent by all packages between two readings; a counter that went down wrapped once at
     * its range (a counter wraps after minutes to hours, longer than a reading apart only when an
     * attempt runs that long: such an attempt is under-counted by whole ranges).
     */
    public double joulesBetween(long[] before, long[] after) {
        long micro = 0;
        for (int i = 0; i < before.length; i++) {
            long d = after[i] - before[i];
            if (d < 0) {
                d += ranges[i] + 1;
            }
            micro += d;
        }
        return micro / 1e6;
    }

    private static long readLong(Path p) throws IOException {
        return Long.parseLong(Files.readString(p).trim());
    }
}
