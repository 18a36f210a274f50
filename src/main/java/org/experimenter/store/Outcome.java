package org.experimenter.store;

import java.time.Instant;
import java.util.Map;
import org.experimenter.Status;

/**
 * How one attempt at an experiment ended, with what it cost.
 *
 * @param errorKind exception, oom (out of memory), timeout, exit, lost, released or paused; null when done
 * @param cpuSeconds NaN when not measured
 * @param allocatedBytes negative when not measured (the experiment was given up)
 * @param sparkApp the application that ran it, or null for the claim's
 * @param energy its energy row, or null when energy is off
 * @param runtimeVersion the JVM or Python interpreter that ran it, or null
 * @param packages the versions of the Python packages named in provenance.packages, as JSON, or null
 * @param resources what the attempt was given (the attempts table's resources), or null
 * @param escalates an out-of-memory error that runs again with more memory while attempts remain
 */
public record Outcome(
        long id,
        Status status,
        Map<String, Object> results,
        Map<String, Instant> resultTimes,
        String errorKind,
        String error,
        Instant start,
        double wallSeconds,
        double cpuSeconds,
        long allocatedBytes,
        String sparkApp,
        String resources,
        boolean escalates,
        org.experimenter.energy.Energy energy,
        String runtimeVersion,
        String packages) {

    /** The error kind of an attempt that failed with the signs of running out of memory. */
    public static final String OUT_OF_MEMORY = "oom";

    /** An outcome without resources, which does not escalate, with no energy row and no runtime. */
    public Outcome(
            long id,
            Status status,
            Map<String, Object> results,
            Map<String, Instant> resultTimes,
            String errorKind,
            String error,
            Instant start,
            double wallSeconds,
            double cpuSeconds,
            long allocatedBytes,
            String sparkApp) {
        this(
                id,
                status,
                results,
                resultTimes,
                errorKind,
                error,
                start,
                wallSeconds,
                cpuSeconds,
                allocatedBytes,
                sparkApp,
                null,
                false,
                null,
                null,
                null);
    }

    /** The same with what the attempt was given, and whether it runs again with more memory. */
    public Outcome withResources(String given, boolean escalate) {
        return new Outcome(
                id,
                status,
                results,
                resultTimes,
                errorKind,
                error,
                start,
                wallSeconds,
                cpuSeconds,
                allocatedBytes,
                sparkApp,
                given,
                escalate,
                energy,
                runtimeVersion,
                packages);
    }
}
