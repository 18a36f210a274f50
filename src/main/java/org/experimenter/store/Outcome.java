package org.experimenter.store;

import java.time.Instant;
import java.util.Map;
import org.experimenter.Status;

/**
 * How one attempt at an experiment ended, with what it cost.
 *
 * @param errorKind exception, timeout, exit, lost, released or paused; null when done
 * @param cpuSeconds NaN when not measured
 * @param allocatedBytes negative when not measured (the experiment was given up)
 * @param sparkApp the application that ran it, or null for the claim's
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
        String sparkApp) {}
