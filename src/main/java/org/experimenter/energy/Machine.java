package org.experimenter.energy;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** This host as an energy row names it: processor model, logical CPUs and memory. */
public record Machine(String cpuModel, int cpuCount, double ramGb) {
    private static final Machine THIS = read();

    public static Machine thisHost() {
        return THIS;
    }

    private static Machine read() {
        String model = null;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    model = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (Exception e) {
            // not Linux: the architecture names it below
        }
        if (model == null) {
            model = System.getProperty("os.arch");
        }
        double ram = 0;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            ram = os.getTotalMemorySize() / (1024.0 * 1024 * 1024); // GiB, as CodeCarbon counts a GB
        }
        return new Machine(model, Runtime.getRuntime().availableProcessors(), ram);
    }
}
