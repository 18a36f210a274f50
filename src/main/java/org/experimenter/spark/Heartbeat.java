package org.experimenter.spark;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.experimenter.store.ExperimentStore;

/**
 * Owns a worker's lease: a scheduled daemon thread that, every {@code lease.heartbeat-interval},
 * refreshes the heartbeat of the running rows held under the worker's live claim tokens, on a
 * connection of its own.
 *
 * <p>Contract. A token is live from {@link #hold} to {@link #drop}; the worker holds it before
 * the claim statement runs and drops it once the claim's outcomes are written and its rows not
 * started released, so no row it holds as running goes without beats. While this thread lives,
 * each such row is refreshed once per interval; a failed beat is logged and retried at the next
 * one on a fresh connection. A row whose beats fail for longer than the lease (interval x
 * missed-beats) can be recovered and run again elsewhere; the worker's guarded writes then find
 * the claim lost and change nothing.
 */
final class Heartbeat implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Heartbeat.class.getName());

  private final ExperimentStore store;
  private final Set<String> liveTokens = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService scheduler;
  private Connection connection;

  Heartbeat(ExperimentStore store, String executor) {
    this.store = store;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "experimenter-heartbeat-" + executor);
              t.setDaemon(true);
              return t;
            });
    long every = store.config().heartbeatInterval().toMillis();
    scheduler.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
  }

  /** Beats for the rows of this claim token from now on. */
  void hold(String token) {
    liveTokens.add(token);
  }

  /** No longer beats for the rows of this claim token. */
  void drop(String token) {
    liveTokens.remove(token);
  }

  private void beat() {
    try {
      if (connection == null || connection.isClosed()) {
        connection = store.connect();
      }
      store.heartbeat(connection, new ArrayList<>(liveTokens));
    } catch (SQLException | RuntimeException e) {
      LOG.log(Level.WARNING, "heartbeat for " + store.table() + " failed; retrying next beat: " + e.getMessage());
      RetryingConnection.closeQuietly(connection);
      connection = null;
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    RetryingConnection.closeQuietly(connection);
  }
}
