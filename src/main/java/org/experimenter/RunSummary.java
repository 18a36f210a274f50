package org.experimenter;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/** What one run did: rows per final status and experiment durations, computed with Spark SQL. */
public final class RunSummary {
  private final String runId;
  private final Map<Status, Long> counts;
  private final double minSeconds;
  private final double medianSeconds;
  private final double maxSeconds;
  private final double wallSeconds;

  public RunSummary(String runId, Map<Status, Long> counts, double minSeconds, double medianSeconds, double maxSeconds, double wallSeconds) {
    this.runId = runId;
    this.counts = Collections.unmodifiableMap(new EnumMap<>(counts));
    this.minSeconds = minSeconds;
    this.medianSeconds = medianSeconds;
    this.maxSeconds = maxSeconds;
    this.wallSeconds = wallSeconds;
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
    if (total() > 0) {
      b.append(String.format(Locale.ROOT, "  duration per experiment: min %.3f s, median %.3f s, max %.3f s%n", minSeconds, medianSeconds, maxSeconds));
    }
    return b.toString();
  }
}
