package org.experimenter.store;

import java.time.Instant;
import java.util.Map;
import org.experimenter.Status;
import org.experimenter.energy.Energy;

/**
 * How one attempt at an experiment ended: what the experiment row keeps (status, results, error),
 * what the attempt cost ({@link Measure}) and what ran it ({@link Ran}).
 *
 * @param errorKind exception, oom (out of memory), timeout, exit, lost, released or paused; null when done
 * @param escalates an out-of-memory error that runs again with more memory while attempts remain
 */
public record Outcome(
        long id,
        Status status,
        Map<String, Object> results,
        Map<String, Instant> resultTimes,
        String errorKind,
        String error,
        Measure measure,
        Ran ran,
        boolean escalates) {

    /** The error kind of an attempt that failed with the signs of running out of memory. */
    public static final String OUT_OF_MEMORY = "oom";

    /**
     * What an attempt cost.
     *
     * @param cpuSeconds NaN when not measured
     * @param allocatedBytes negative when not measured (the experiment was given up)
     * @param energy its energy row, or null when energy is off
     */
    public record Measure(Instant start, double wallSeconds, double cpuSeconds, long allocatedBytes, Energy energy) {}

    /**
     * What ran an attempt, each null when not known.
     *
     * @param sparkApp the application that ran it, or null for the claim's
     * @param resources what the attempt was given (the attempts table's resources)
     * @param runtimeVersion the JVM or Python interpreter that ran it
     * @param packages the versions of the Python packages named in provenance.packages, as JSON
     */
    public record Ran(String sparkApp, String resources, String runtimeVersion, String packages) {
        /** Nothing known of what ran the attempt (a lost or released attempt, an adopted row). */
        public static final Ran UNKNOWN = new Ran(null, null, null, null);
    }
}
