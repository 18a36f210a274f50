package org.experimenter.spark;

import com.typesafe.config.Config;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.experimenter.Experiment;
import org.experimenter.ExperimentContext;
import org.experimenter.Parameters;
import org.experimenter.ResultWriter;
import org.experimenter.Status;
import org.experimenter.StoreException;
import org.experimenter.grid.Parameter;
import org.experimenter.store.Claim;
import org.experimenter.store.ClaimedRow;
import org.experimenter.store.ExperimentStore;

/**
 * The executor side of a run: claims rows, runs the experiment on each with a heartbeat
 * going, and writes the outcome under the claim. Experiment exceptions become the row's
 * error; only infrastructure failures (the database gone for good) escape to Spark.
 */
public final class Worker implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Worker.class.getName());
  private static final long TARGET_BATCH_MILLIS = 250;
  private static final int MAX_BATCH = 64;
  private static final AtomicLong SEQUENCE = new AtomicLong();

  private final ExperimentStore store;
  private final Experiment experiment;
  private final String runId;
  private final String executor;
  private final String machine;
  private final List<Parameter> keyfields;
  private final Config custom;
  private final Set<String> liveTokens = ConcurrentHashMap.newKeySet();
  private final Map<Status, Long> counts = new EnumMap<>(Status.class);
  private final ScheduledExecutorService heartbeats;
  private ExecutorService runner;
  private Connection connection;
  private Connection heartbeatConnection;
  private double averageMillis = -1;
  private volatile boolean stopping;

  public Worker(ExperimentStore store, Experiment experiment, String runId, String executor) {
    this.store = store;
    this.experiment = experiment;
    this.runId = runId;
    this.executor = executor;
    this.machine = hostName();
    this.keyfields = store.config().keyfields();
    this.custom = store.config().custom();
    this.runner = newRunner();
    this.heartbeats =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "experimenter-heartbeat-" + executor);
              t.setDaemon(true);
              return t;
            });
    long every = store.config().heartbeatInterval().toMillis();
    heartbeats.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
  }

  /** Asks the worker to stop claiming; experiments already started finish. */
  public void stop() {
    stopping = true;
  }

  public Map<Status, Long> counts() {
    return counts;
  }

  /** How many rows to claim at once: one for slow experiments, more for fast ones. */
  int batchSize() {
    if (averageMillis < 0) {
      return 1;
    }
    long n = Math.round(TARGET_BATCH_MILLIS / Math.max(averageMillis, 0.01));
    return (int) Math.max(1, Math.min(MAX_BATCH, n));
  }

  /** Claims and runs those of the given candidate rows that are still open. */
  public void runCandidates(List<ClaimedRow> candidates) {
    int i = 0;
    while (i < candidates.size() && !stopping) {
      int n = Math.min(batchSize(), candidates.size() - i);
      List<ClaimedRow> slice = candidates.subList(i, i + n);
      i += n;
      List<Long> ids = new ArrayList<>(n);
      Map<Long, Object[]> keys = new LinkedHashMap<>();
      for (ClaimedRow r : slice) {
        ids.add(r.id());
        keys.put(r.id(), r.keys());
      }
      Claim claim = newClaim();
      liveTokens.add(claim.token());
      List<Long> claimed = withRetry("claim rows of " + store.table(), c -> store.claimIds(c, ids, claim));
      List<ClaimedRow> rows = new ArrayList<>(claimed.size());
      for (Long id : claimed) {
        rows.add(new ClaimedRow(id, keys.get(id)));
      }
      runClaimed(rows, claim);
    }
  }

  /** Claims and runs open rows matching the predicate until none is left or the worker stops. */
  public void runRemaining(String predicate) {
    while (!stopping) {
      Claim claim = newClaim();
      liveTokens.add(claim.token());
      int n = batchSize();
      List<ClaimedRow> rows =
          withRetry("claim rows of " + store.table(), c -> store.claimNext(c, n, predicate, claim));
      if (rows.isEmpty()) {
        liveTokens.remove(claim.token());
        return;
      }
      runClaimed(rows, claim);
    }
  }

  private void runClaimed(List<ClaimedRow> rows, Claim claim) {
    try {
      for (int i = 0; i < rows.size(); i++) {
        if (stopping) {
          int released = withRetry("release rows of " + store.table(), c -> store.release(c, claim.token()));
          LOG.info("stopping: released " + released + " claimed rows of " + store.table() + " back to created");
          return;
        }
        execute(rows.get(i), claim);
      }
    } finally {
      liveTokens.remove(claim.token());
    }
  }

  private void execute(ClaimedRow row, Claim claim) {
    Map<String, Object> params = new LinkedHashMap<>();
    for (int i = 0; i < keyfields.size(); i++) {
      params.put(keyfields.get(i).name(), keyfields.get(i).type().coerce(row.keys()[i]));
    }
    ResultBuffer results = new ResultBuffer(store.config().resultfields());
    Context ctx = new Context(row.id(), new Parameters(params), results);
    long start = System.nanoTime();
    Status status = Status.DONE;
    String kind = null;
    String error = null;
    Future<?> f =
        runner.submit(
            () -> {
              experiment.run(ctx);
              return null;
            });
    Duration timeout = store.config().timeout();
    try {
      if (timeout.isZero()) {
        f.get();
      } else {
        f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (ExecutionException e) {
      status = Status.ERROR;
      kind = "exception";
      error = stackTrace(e.getCause());
    } catch (TimeoutException e) {
      ctx.stopping = true;
      f.cancel(true);
      status = Status.ERROR;
      kind = "timeout";
      error = "timeout: experiment " + row.id() + " " + params + " did not finish within " + timeout;
      replaceRunnerIfStuck(f);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ctx.stopping = true;
      f.cancel(true);
      withRetry("release rows of " + store.table(), c -> store.release(c, claim.token()));
      throw new StoreException("worker interrupted while running experiment " + row.id() + "; its rows were released");
    }
    double millis = (System.nanoTime() - start) / 1e6;
    averageMillis = averageMillis < 0 ? millis : 0.8 * averageMillis + 0.2 * millis;
    Map<String, Object> values = status == Status.DONE ? results.snapshot() : Map.of();
    Status s = status;
    String k = kind;
    String err = error;
    boolean written =
        withRetry(
            "write experiment " + row.id() + " of " + store.table(),
            c -> store.finish(c, row.id(), claim.token(), s, values, k, err));
    if (!written) {
      LOG.warning(
          "experiment " + row.id() + " of " + store.table() + " finished as " + s.dbName()
              + " but its claim " + claim.token() + " was lost (lease expired, reset or taken over); result discarded");
      return;
    }
    counts.merge(s, 1L, Long::sum);
  }

  private void replaceRunnerIfStuck(Future<?> f) {
    ExecutorService old = runner;
    old.shutdownNow();
    try {
      if (!old.awaitTermination(2, TimeUnit.SECONDS)) {
        LOG.warning("an experiment ignored its interrupt after a timeout; its thread is abandoned");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    runner = newRunner();
  }

  private ExecutorService newRunner() {
    return Executors.newSingleThreadExecutor(
        r -> {
          Thread t = new Thread(r, "experimenter-experiment-" + executor);
          t.setDaemon(true);
          return t;
        });
  }

  private Claim newClaim() {
    return new Claim(runId, executor, machine, runId + "/" + executor + "/" + SEQUENCE.incrementAndGet());
  }

  private void beat() {
    try {
      if (heartbeatConnection == null || heartbeatConnection.isClosed()) {
        heartbeatConnection = store.connect();
      }
      store.heartbeat(heartbeatConnection, new ArrayList<>(liveTokens));
    } catch (SQLException | RuntimeException e) {
      LOG.log(Level.WARNING, "heartbeat for " + store.table() + " failed; retrying next beat: " + e.getMessage());
      closeQuietly(heartbeatConnection);
      heartbeatConnection = null;
    }
  }

  interface SqlCall<T> {
    T call(Connection c) throws SQLException;
  }

  /**
   * Runs a database call, reconnecting with backoff when the connection fails (a database
   * restart), for up to two minutes. Every call is guarded, so repeating it is safe.
   */
  <T> T withRetry(String what, SqlCall<T> call) {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    long backoff = 200;
    while (true) {
      try {
        if (connection == null || connection.isClosed()) {
          connection = store.connect();
        }
        return call.call(connection);
      } catch (SQLException | StoreException e) {
        closeQuietly(connection);
        connection = null;
        if (System.nanoTime() > deadline) {
          throw new StoreException("cannot " + what + " after retrying for 2 minutes: " + e.getMessage(), e);
        }
        LOG.warning("cannot " + what + " (" + e.getMessage() + "); retrying in " + backoff + " ms");
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new StoreException("interrupted while retrying to " + what, e);
        }
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  @Override
  public void close() {
    heartbeats.shutdownNow();
    runner.shutdownNow();
    closeQuietly(connection);
    closeQuietly(heartbeatConnection);
  }

  private static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // closing a broken connection has nothing more to tell
      }
    }
  }

  static String stackTrace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "unknown-host";
    }
  }

  private final class Context implements ExperimentContext {
    private final long id;
    private final Parameters parameters;
    private final ResultBuffer results;
    volatile boolean stopping;

    Context(long id, Parameters parameters, ResultBuffer results) {
      this.id = id;
      this.parameters = parameters;
      this.results = results;
    }

    @Override
    public long id() {
      return id;
    }

    @Override
    public Parameters parameters() {
      return parameters;
    }

    @Override
    public ResultWriter results() {
      return results;
    }

    @Override
    public Config custom() {
      return custom;
    }

    @Override
    public boolean isStopping() {
      return stopping || Worker.this.stopping;
    }
  }
}
