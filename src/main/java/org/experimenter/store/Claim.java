package org.experimenter.store;

import java.io.Serializable;

/**
 * Who holds a claimed row: the run, the executor and a token unique to one claim. Completion
 * is guarded by the token, so a worker that lost its lease cannot overwrite the new owner.
 */
public final class Claim implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String runId;
  private final String executor;
  private final String machine;
  private final String token;
  private final String sparkApp;

  public Claim(String runId, String executor, String machine, String token, String sparkApp) {
    this.runId = runId;
    this.executor = executor;
    this.machine = machine;
    this.token = token;
    this.sparkApp = sparkApp;
  }

  /** The Spark application id, or null outside Spark (run-one). */
  public String sparkApp() {
    return sparkApp;
  }

  public String runId() {
    return runId;
  }

  public String executor() {
    return executor;
  }

  public String machine() {
    return machine;
  }

  public String token() {
    return token;
  }
}
