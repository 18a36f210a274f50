package org.experimenter.spark;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
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
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.experimenter.Experiment;
import org.experimenter.ExperimenterException;
import org.experimenter.Parameters;
import org.experimenter.Status;
import org.experimenter.StoreException;
import org.experimenter.grid.Parameter;
import org.experimenter.store.Claim;
import org.experimenter.store.ClaimedRow;
import org.experimenter.store.ExperimentStore;
import org.experimenter.store.Outcome;

/**
 * The executor side of a run: claims rows, runs the experiment on each in its own thread with
 * a heartbeat going, and writes the outcome under the claim. Experiment exceptions, timeouts
 * and out-of-memory errors in the experiment become the row's error; only infrastructure
 * failures (the database gone for longer than the retry window) escape to Spark.
 */
public final class Worker implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Worker.class.getName());
  private static final long TARGET_BATCH_MILLIS = 250;
  private static final int MAX_BATCH = 200;
  private static final AtomicLong SEQUENCE = new AtomicLong();
  private static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final ExperimentStore store;
  private final Experiment experiment;
  private final String runId;
  private final String executor;
  private final String sparkApp;
  private final String machine;
  private final List<Parameter> keyfields;
  private final Object writeLock;
  private final Set<String> liveTokens = ConcurrentHashMap.newKeySet();
  private final Map<Status, Long> counts = new EnumMap<>(Status.class);
  private final Map<String, Experiment> byClass = new HashMap<>();
  private final ScheduledExecutorService heartbeats;
  private ExecutorService runner;
  private Connection connection;
  private Connection heartbeatConnection;
  private volatile double averageMillis = -1;
  private long nextReturnedCheck = System.nanoTime();
  private volatile boolean stopping;
  private volatile BooleanSupplier cancelled = () -> false;

  public Worker(ExperimentStore store, Experiment experiment, String runId, String executor, String sparkApp) {
    this.store = store;
    this.experiment = experiment;
    this.runId = runId;
    this.executor = executor;
    this.sparkApp = sparkApp;
    this.machine = hostName();
    this.keyfields = store.config().keyfields();
    this.writeLock = store.dialect().writeLock(store.config().url());
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

  /** Asks the worker to stop claiming; the running experiment may finish, claimed rows not started are released. */
  public void stop() {
    stopping = true;
  }

  /**
   * Also stop once this turns true: a Spark task that was killed (job cancelled on Ctrl-C or
   * SIGTERM) says so through its TaskContext even when the interrupt went astray.
   */
  public void stopWhen(BooleanSupplier condition) {
    this.cancelled = condition;
  }

  public boolean isStopping() {
    return stopping || cancelled.getAsBoolean();
  }

  /** Rows this worker wrote, per final status. */
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
    runCandidates(candidates, null, null);
  }

  /**
   * The same, and between claims, at most once per heartbeat interval, first runs open rows
   * of the run's scope that were claimed before (recovered from a lost executor, released by
   * a stopped run): they would otherwise wait until a task has run its whole partition.
   */
  public void runCandidates(List<ClaimedRow> candidates, String predicate, String orderBy) {
    int i = 0;
    while (i < candidates.size() && !isStopping()) {
      if (predicate != null) {
        runReturned(predicate, orderBy);
      }
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
      List<ClaimedRow> claimed = withRetry("claim rows of " + store.table(), c -> store.claimIds(c, ids, claim));
      List<ClaimedRow> rows = new ArrayList<>(claimed.size());
      for (ClaimedRow r : claimed) {
        rows.add(new ClaimedRow(r.id(), keys.get(r.id()), r.experimentClass()));
      }
      runClaimed(rows, claim);
    }
  }

  private void runReturned(String predicate, String orderBy) {
    long now = System.nanoTime();
    if (now < nextReturnedCheck) {
      return;
    }
    nextReturnedCheck = now + store.config().heartbeatInterval().toNanos();
    String returned = ExperimentStore.returned(predicate);
    if (withRetry("look for returned rows of " + store.table(), c -> store.hasOpen(c, returned))) {
      runRemaining(returned, orderBy, 1);
    }
  }

  /** Claims and runs open rows matching the predicate until none is left or the worker stops. */
  public void runRemaining(String predicate, String orderBy) {
    runRemaining(predicate, orderBy, MAX_BATCH);
  }

  private void runRemaining(String predicate, String orderBy, int maxBatch) {
    while (!isStopping()) {
      if (maxBatch > 1) {
        // rows that ran before are claimed alone, so the batches below pass them by: run them first
        runReturned(predicate, orderBy);
      }
      Claim claim = newClaim();
      liveTokens.add(claim.token());
      int n = Math.min(batchSize(), maxBatch);
      List<ClaimedRow> rows =
          withRetry("claim rows of " + store.table(), c -> store.claimNext(c, n, predicate, orderBy, claim));
      if (rows.isEmpty() && n > 1) {
        // a claim of several rows takes only rows that never ran; those that did run alone
        rows = withRetry("claim rows of " + store.table(), c -> store.claimNext(c, 1, predicate, orderBy, claim));
      }
      if (rows.isEmpty()) {
        liveTokens.remove(claim.token());
        return;
      }
      runClaimed(rows, claim);
    }
  }

  /**
   * Runs the rows of a claim in the order given (id order: recovery relies on it) and writes
   * their outcomes together at the end: one commit per claim, and the claim size keeps a batch
   * near a quarter second of work, so slow experiments are written one by one and fast ones in
   * groups. The rows run one after another on the runner thread while this thread watches the
   * timeout and the stop; a timed-out experiment's thread is given up and the rest of the claim
   * continues on a new one.
   */
  private void runClaimed(List<ClaimedRow> rows, Claim claim) {
    List<Outcome> outcomes = new ArrayList<>(rows.size());
    try {
      while (outcomes.size() < rows.size() && !isStopping()) {
        Batch batch = new Batch(rows.subList(outcomes.size(), rows.size()), claim);
        Future<?> f = runner.submit(batch);
        Outcome timedOut;
        try {
          timedOut = supervise(batch, f);
        } finally {
          outcomes.addAll(batch.outcomes());
        }
        if (timedOut == null) {
          break; // every row ran, or the runner saw the stop
        }
        outcomes.add(timedOut);
      }
    } finally {
      write(outcomes, claim);
      if (outcomes.size() < rows.size()) {
        // rows of the claim not started (stopping, or the task failing) go back to created
        int released = withRetry("release rows of " + store.table(), c -> store.release(c, claim));
        if (released > 0) {
          LOG.info("released " + released + " claimed rows of " + store.table() + " back to created");
        }
      }
      liveTokens.remove(claim.token());
    }
  }

  private void write(List<Outcome> outcomes, Claim claim) {
    if (outcomes.isEmpty()) {
      return;
    }
    List<Boolean> written =
        withRetry("write " + outcomes.size() + " experiments of " + store.table(), c -> store.finishAll(c, claim, outcomes));
    for (int i = 0; i < outcomes.size(); i++) {
      Outcome o = outcomes.get(i);
      // a write retried after its commit went through unanswered finds the row already finished: ours
      if (written.get(i) || withRetry("check experiment " + o.id() + " of " + store.table(), c -> store.finishedUnder(c, o.id(), claim))) {
        counts.merge(o.status(), 1L, Long::sum);
      } else {
        LOG.warning(
            "experiment " + o.id() + " of " + store.table() + " finished as " + o.status().dbName() + " but its claim "
                + claim.token() + " was lost (lease expired, reset or taken over); this attempt's result was discarded");
      }
    }
  }

  /**
   * Waits for a batch until it ends; or until its running experiment passes its timeout, or,
   * once the worker is stopping (the task was killed: interrupted or flagged), the shutdown
   * grace period from then on. A timed-out experiment is given up and its outcome returned;
   * one that outlives the grace period is left to be released, and this throws.
   */
  private Outcome supervise(Batch batch, Future<?> f) {
    Duration timeout = store.config().timeout();
    long graceEnd = Long.MAX_VALUE;
    while (true) {
      long now = System.nanoTime();
      if (graceEnd == Long.MAX_VALUE && isStopping()) {
        graceEnd = now + store.config().shutdownGrace().toNanos();
      }
      Running current = batch.current;
      boolean exiting = graceEnd != Long.MAX_VALUE && callsExit(batch.thread);
      long deadline = current == null || timeout.isZero() ? Long.MAX_VALUE : current.startNanos + timeout.toNanos();
      long left = Math.min(deadline, graceEnd) - now;
      if (current != null && (left <= 0 || exiting) && batch.giveUp(current)) {
        return givenUp(batch, f, current, timeout);
      }
      try {
        f.get(left <= 0 ? TimeUnit.MILLISECONDS.toNanos(10) : Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)), TimeUnit.NANOSECONDS);
        return null;
      } catch (TimeoutException slice) {
        // look again at the deadlines and at whether the run is stopping
      } catch (InterruptedException killed) {
        // the Spark task is being killed (job cancelled, driver stopping): the grace period starts
        stopping = true;
      } catch (ExecutionException e) {
        throw new ExperimenterException("the experiment runner of " + store.table() + " failed: " + e.getCause(), e.getCause());
      }
    }
  }

  /** The outcome of an experiment that ran out of time: its thread is interrupted and replaced. */
  private Outcome givenUp(Batch batch, Future<?> f, Running current, Duration timeout) {
    RowContext ctx = current.ctx;
    ctx.timedOut = true;
    boolean exiting = callsExit(batch.thread);
    f.cancel(true);
    String kind;
    String error;
    Map<String, Object> params = ctx.parameters().asMap();
    if (exiting) {
      // The JVM is shutting down because of the experiment: releasing the row would only
      // run it again (in local mode the next run would end the same way, forever).
      stopping = true;
      kind = "exit";
      error = "exit: experiment " + current.row.id() + " " + params + " called System.exit; the JVM is shutting down";
    } else if (isStopping()) {
      ctx.close();
      LOG.warning("experiment " + current.row.id() + " of " + store.table() + " did not finish within the shutdown grace period; released");
      throw new StoreException("stopped while experiment " + current.row.id() + " was running; its row was released");
    } else {
      kind = "timeout";
      error = "timeout: experiment " + current.row.id() + " " + params + " did not finish within " + timeout;
      replaceRunner();
    }
    double millis = (System.nanoTime() - current.startNanos) / 1e6;
    averageMillis = averageMillis < 0 ? millis : 0.8 * averageMillis + 0.2 * millis;
    writePendingLogs(ctx, current.row.id());
    return new Outcome(current.row.id(), Status.ERROR, Map.of(), ctx.resultTimes(), kind, error, current.start, millis / 1000.0,
        Double.NaN, -1, sparkApp);
  }

  /** The experiment running on the runner thread, as the supervising task thread sees it. */
  private static final class Running {
    final ClaimedRow row;
    final RowContext ctx;
    final Instant start;
    final long startNanos;

    Running(ClaimedRow row, RowContext ctx, Instant start, long startNanos) {
      this.row = row;
      this.ctx = ctx;
      this.start = start;
      this.startNanos = startNanos;
    }
  }

  /**
   * Rows of one claim run one after another on the runner thread: one hand-off between threads
   * per claim rather than per experiment. Either the runner finishes the running experiment or
   * the supervisor gives it up, never both: they decide under the batch's lock.
   */
  private final class Batch implements Runnable {
    private final List<ClaimedRow> rows;
    private final Claim claim;
    private final List<Outcome> outcomes = new ArrayList<>();
    private boolean givenUp;
    volatile Running current;
    volatile Thread thread;

    Batch(List<ClaimedRow> rows, Claim claim) {
      this.rows = rows;
      this.claim = claim;
    }

    synchronized List<Outcome> outcomes() {
      return new ArrayList<>(outcomes);
    }

    synchronized boolean giveUp(Running r) {
      if (current != r || givenUp) {
        return false;
      }
      givenUp = true;
      return true;
    }

    private synchronized boolean start(Running r) {
      if (givenUp) {
        return false;
      }
      current = r;
      return true;
    }

    @Override
    public void run() {
      thread = Thread.currentThread();
      for (ClaimedRow row : rows) {
        if (isStopping() || !execute(row)) {
          return;
        }
      }
    }

    /** Runs one experiment; false when the supervisor gave it up meanwhile. */
    private boolean execute(ClaimedRow row) {
      Map<String, Object> params = new LinkedHashMap<>();
      for (int i = 0; i < keyfields.size(); i++) {
        params.put(keyfields.get(i).name(), keyfields.get(i).type().coerce(row.keys()[i]));
      }
      Experiment e = experimentFor(row);
      RowContext ctx = new RowContext(store, row.id(), claim.token(), new Parameters(params), Worker.this::isStopping);
      Running running = new Running(row, ctx, store.now(), System.nanoTime());
      if (!start(running)) {
        return false;
      }
      long cpu0 = THREADS.getCurrentThreadCpuTime();
      long alloc0 = allocated();
      Throwable failure = null;
      try {
        if (e == null) {
          throw new ExperimenterException("experiment class " + row.experimentClass() + " of row " + row.id() + " cannot be loaded");
        }
        e.run(ctx);
      } catch (Throwable t) { // whatever the experiment throws, OutOfMemoryError included, is the row's error
        failure = t;
      }
      Thread.interrupted(); // an interrupt the experiment left behind must not reach the next one
      long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
      long alloc = allocated() - alloc0;
      double millis = (System.nanoTime() - running.startNanos) / 1e6;
      Status status = Status.DONE;
      String kind = null;
      String error = null;
      if (failure != null) {
        status = Status.ERROR;
        kind = "exception";
        error = stackTrace(failure);
      } else if (ctx.paused()) {
        status = Status.PAUSED;
        kind = "paused";
      }
      Map<String, Object> values = status == Status.ERROR ? Map.of() : ctx.resultValues();
      Outcome o = new Outcome(row.id(), status, values, ctx.resultTimes(), kind, error, running.start, millis / 1000.0,
          cpu / 1e9, alloc, sparkApp);
      synchronized (this) {
        if (givenUp) {
          return false;
        }
        outcomes.add(o);
        current = null;
        averageMillis = averageMillis < 0 ? millis : 0.8 * averageMillis + 0.2 * millis;
      }
      // the outcome is written after the batch ends, so log rows still reach the table first
      writePendingLogs(ctx, row.id());
      return true;
    }
  }

  private void writePendingLogs(RowContext ctx, long id) {
    try {
      if (ctx.hasPendingLogs()) {
        ctx.writeLogs();
      }
    } catch (StoreException ex) {
      LOG.warning("log rows of experiment " + id + " could not be written: " + ex.getMessage());
    } finally {
      ctx.close();
    }
  }

  /** Whether the thread is inside System.exit / Runtime.halt, waiting for the JVM to end. */
  static boolean callsExit(Thread t) {
    if (t == null) {
      return false;
    }
    for (StackTraceElement e : t.getStackTrace()) {
      if (e.getClassName().equals("java.lang.Shutdown")
          || (e.getClassName().equals("java.lang.Runtime") && (e.getMethodName().equals("exit") || e.getMethodName().equals("halt")))) {
        return true;
      }
    }
    return false;
  }

  private static long allocated() {
    if (THREADS instanceof com.sun.management.ThreadMXBean) {
      return ((com.sun.management.ThreadMXBean) THREADS).getCurrentThreadAllocatedBytes();
    }
    return 0;
  }

  private Experiment experimentFor(ClaimedRow row) {
    if (row.experimentClass() == null) {
      return experiment;
    }
    return byClass.computeIfAbsent(
        row.experimentClass(),
        name -> {
          try {
            return (Experiment)
                Class.forName(name, true, Thread.currentThread().getContextClassLoader()).getConstructor().newInstance();
          } catch (ReflectiveOperationException | ClassCastException | LinkageError ex) {
            LOG.warning("experiment class " + name + " of row " + row.id() + " cannot be loaded: " + ex);
            return null;
          }
        });
  }

  private void replaceRunner() {
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
    return new Claim(runId, executor, machine, runId + "/" + executor + "/" + SEQUENCE.incrementAndGet(), sparkApp);
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
   * Runs a database call, reconnecting with backoff when it fails (a database restart), for up
   * to two minutes. Calls of the workers of one JVM go one at a time where the database takes
   * one writer at a time (SQLite). Every call is guarded by status and claim, so repeating it is safe; a
   * finish whose commit was lost on the way reports false on repetition, and is then checked.
   */
  <T> T withRetry(String what, SqlCall<T> call) {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    long backoff = 200;
    while (true) {
      try {
        if (connection == null || connection.isClosed()) {
          connection = store.connect();
        }
        if (writeLock == null) {
          return call.call(connection);
        }
        synchronized (writeLock) {
          return call.call(connection);
        }
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
}
