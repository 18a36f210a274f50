package org.experimenter.provenance;

/**
 * What an experiment's own processes report about the attempt running on this thread: the CPU
 * time they used (a command's process tree, a Python worker), and the runtime and package
 * versions of a Python worker. The runner thread {@link #begin}s before the experiment and
 * {@link #end}s after it; commands and Python functions add to it in between, on that thread.
 */
public final class AttemptFacts {
    private static final ThreadLocal<AttemptFacts> CURRENT = new ThreadLocal<>();

    private double childCpuSeconds;
    private String runtimeVersion;
    private String packages;

    private AttemptFacts() {}

    /** Starts collecting for the attempt about to run on this thread. */
    public static void begin() {
        CURRENT.set(new AttemptFacts());
    }

    /** What was collected since {@link #begin}; nothing is collected afterwards. */
    public static AttemptFacts end() {
        AttemptFacts f = CURRENT.get();
        CURRENT.remove();
        return f == null ? new AttemptFacts() : f;
    }

    /** CPU seconds used outside the JVM for this attempt. */
    public static void addChildCpu(double seconds) {
        AttemptFacts f = CURRENT.get();
        if (f != null && seconds > 0) {
            f.childCpuSeconds += seconds;
        }
    }

    /** The runtime that ran the attempt (a Python worker's interpreter) and its package versions (JSON). */
    public static void runtime(String version, String packages) {
        AttemptFacts f = CURRENT.get();
        if (f != null) {
            f.runtimeVersion = version;
            f.packages = packages;
        }
    }

    public double childCpuSeconds() {
        return childCpuSeconds;
    }

    /** The runtime reported by the experiment's process, or null: the JVM's then. */
    public String runtimeVersion() {
        return runtimeVersion;
    }

    public String packages() {
        return packages;
    }

    /** This JVM's version, as attempts of a JVM class record it. */
    public static String jvmVersion() {
        return "Java " + System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vm.name") + ")";
    }
}
