package org.experimenter;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** What one run did: rows per final status and experiment durations, computed with Spark SQL. */
public final class RunSummary {
    private final String runId;
    private final Map<Status, Long> counts;
    private final double minSeconds;
    private final double medianSeconds;
    private final double maxSeconds;
    private final double wallSeconds;
    private final Map<String, Long> heldElsewhere;
    /** Rows of the scope left open by a stop (Ctrl-C, SIGTERM), or -1: the run went to its end. */
    private final long leftByStop;

    public RunSummary(
            String runId,
            Map<Status, Long> counts,
            double minSeconds,
            double medianSeconds,
            double maxSeconds,
            double wallSeconds) {
        this(runId, counts, minSeconds, medianSeconds, maxSeconds, wallSeconds, Map.of(), -1);
    }

    private RunSummary(
            String runId,
            Map<Status, Long> counts,
            double minSeconds,
            double medianSeconds,
            double maxSeconds,
            double wallSeconds,
            Map<String, Long> heldElsewhere,
            long leftByStop) {
        this.leftByStop = leftByStop;
        this.heldElsewhere = Collections.unmodifiableMap(new TreeMap<>(heldElsewhere));
        this.runId = runId;
        Map<Status, Long> copy = new EnumMap<>(Status.class);
        copy.putAll(counts);
        this.counts = Collections.unmodifiableMap(copy);
        this.minSeconds = minSeconds;
        this.medianSeconds = medianSeconds;
        this.maxSeconds = maxSeconds;
        this.wallSeconds = wallSeconds;
    }

    /** The same summary, noting rows of the run's scope that other live runs held when it ended. */
    public RunSummary withHeldElsewhere(Map<String, Long> rowsPerRun) {
        return new RunSummary(
                runId, counts, minSeconds, medianSeconds, maxSeconds, wallSeconds, rowsPerRun, leftByStop);
    }

    /** The same summary of a run that was stopped (Ctrl-C, SIGTERM) with this many rows of its scope still open. */
    public RunSummary stoppedLeaving(long openRows) {
        return new RunSummary(
                runId, counts, minSeconds, medianSeconds, maxSeconds, wallSeconds, heldElsewhere, openRows);
    }

    /** Whether the run was stopped before its end (Ctrl-C, SIGTERM). */
    public boolean stopped() {
        return leftByStop >= 0;
    }

    /**
     * Rows of this run's scope still running under other runs that were seen alive (their
     * heartbeats advanced) when this run ended, per run id; those runs finish them.
     */
    public Map<String, Long> heldElsewhere() {
        return heldElsewhere;
    }

    /**
     * This pass and an earlier one of the same run as one summary (a halving run's passes, one
     * per rung): counts and wall times added, the extremes of both; the median is that of the
     * pass with more experiments, as the passes' durations are not kept.
     */
    public RunSummary after(RunSummary earlier) {
        Map<Status, Long> sum = new EnumMap<>(Status.class);
        sum.putAll(earlier.counts);
        counts.forEach((s, n) -> sum.merge(s, n, Long::sum));
        boolean none = earlier.total() == 0;
        boolean noneHere = total() == 0;
        double min = none ? minSeconds : noneHere ? earlier.minSeconds : Math.min(minSeconds, earlier.minSeconds);
        double max = none ? maxSeconds : noneHere ? earlier.maxSeconds : Math.max(maxSeconds, earlier.maxSeconds);
        double median = total() >= earlier.total() ? medianSeconds : earlier.medianSeconds;
        return new RunSummary(
                runId, sum, min, median, max, wallSeconds + earlier.wallSeconds, heldElsewhere, leftByStop);
    }

    public String runId() {
        return runId;
    }

    /** Rows this run ended in each status. */
    public Map<Status, Long> counts() {
        return counts;
    }

    public long count(Status s) {
        return counts.getOrDefault(s, 0L);
    }

    public long total() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    public double minSeconds() {
        return minSeconds;
    }

    public double medianSeconds() {
        return medianSeconds;
    }

    public double maxSeconds() {
        return maxSeconds;
    }

    public double wallSeconds() {
        return wallSeconds;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "run %s: %d experiments in %.1f s%n", runId, total(), wallSeconds));
        for (Status s : Status.values()) {
            if (count(s) > 0) {
                b.append(String.format(Locale.ROOT, "  %-8s %d%n", s.dbName(), count(s)));
            }
        }
        for (Map.Entry<String, Long> e : heldElsewhere.entrySet()) {
            b.append(String.format(
                    Locale.ROOT,
                    "  %d %s of this scope still running under live run %s%n",
                    e.getValue(),
                    e.getValue() == 1 ? "row" : "rows",
                    e.getKey()));
        }
        if (stopped()) {
            b.append(String.format(
                    Locale.ROOT,
                    "  stopped before its end: %d %s of its scope open for the next run%n",
                    leftByStop,
                    leftByStop == 1 ? "row" : "rows"));
        }
        if (total() > 0) {
            b.append(String.format(
                    Locale.ROOT,
                    "  duration per experiment: min %.3f s, median %.3f s, max %.3f s%n",
                    minSeconds,
                    medianSeconds,
                    maxSeconds));
        }
        return b.toString();
    }
}
