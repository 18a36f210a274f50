package org.experimenter.store;

import java.time.Instant;
import java.util.Map;
import org.experimenter.Status;

/** How one attempt at an experiment ended, with what it cost. */
public final class Outcome {
  public final long id;
  public final Status status;
  public final Map<String, Object> results;
  public final Map<String, Instant> resultTimes;
  /** exception, timeout, lost, released or paused; null when done. */
  public final String errorKind;
  public final String error;
  public final Instant start;
  public final double wallSeconds;
  public final double cpuSeconds;
  public final long allocatedBytes;
  public final String sparkApp;

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
    this.id = id;
    this.status = status;
    this.results = results;
    this.resultTimes = resultTimes;
    this.errorKind = errorKind;
    this.error = error;
    this.start = start;
    this.wallSeconds = wallSeconds;
    this.cpuSeconds = cpuSeconds;
    this.allocatedBytes = allocatedBytes;
    this.sparkApp = sparkApp;
  }
}
