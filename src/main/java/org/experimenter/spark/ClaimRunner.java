package org.experimenter.spark;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;
import org.experimenter.Experiment;
import org.experimenter.ExperimenterException;
import org.experimenter.Status;
import org.experimenter.StoreException;
import org.experimenter.grid.Parameter;
import org.experimenter.store.Claim;
import org.experimenter.store.ClaimedRow;
import org.experimenter.store.ExperimentStore;
import org.experimenter.store.Outcome;

/**
 * Owns the execution of a claim's rows: the runner thread they run on, the supervision of that
 * thread from the task thread (timeout, stop, System.exit), giving up and replacing a thread
 * that ran out of time, the experiment instance of each row, and the average duration that
 * sizes the next claim.
 *
 * <p>Contract. The rows run one after another on the runner thread, in the order given (id
 * order: recovery relies on it). The runner thread only records outcomes in its {@link RowSequence};
 * the task thread, the caller of {@link #run}, writes them under the claim afterwards. Of the
 * running experiment exactly one outcome is recorded: by the runner when it finishes, or by the
 * supervisor when it gives it up, decided under the sequence's lock. On timeout the experiment
 * ends as error/timeout, its thread is interrupted and abandoned, and the rest of the claim runs
 * on a fresh thread. On stop no further row starts; the running one has the shutdown grace
 * period, and one that outlives it is recorded nowhere (its row is released with the rows not
 * started) and {@link #run} throws. An experiment found inside System.exit while the worker
 * stops ends as error/exit and stops the worker: released, it would only run and exit again.
 */
final class ClaimRunner implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ClaimRunner.class.getName());

    final ExperimentStore store;
    final StopFlag stop;
    final List<Parameter> keyfields;
    final String sparkApp;
    /** Null when energy is off. */
    final org.experimenter.energy.EnergyMeter meter;
    /** The GPU addresses Spark gave the task: every row it runs sees these. */
    volatile List<String> gpus = List.of();

    private final Experiment experiment;
    private final String executor;
    private final Map<String, Experiment> byClass = new HashMap<>();
    private ExecutorService runner;
    private volatile double averageMillis = -1;

    ClaimRunner(ExperimentStore store, Experiment experiment, String executor, String sparkApp, StopFlag stop) {
        this.store = store;
        this.stop = stop;
        this.keyfields = store.config().keyfields();
        this.sparkApp = sparkApp;
        this.meter = org.experimenter.energy.EnergyMeter.of(store.config().energy());
        this.experiment = experiment;
        this.executor = executor;
        this.runner = newRunner();
    }

    /** The moving average of an experiment's wall time in milliseconds; -1 before the first. */
    double averageMillis() {
        return averageMillis;
    }

    /**
     * Runs the rows of a claim, adding the outcome of each that ended to {@code outcomes}, also
     * when this throws: the caller writes those and releases the rest. The rows run one after
     * another on the runner thread while this thread watches the timeout and the stop; a
     * timed-out experiment's thread is given up and the rest of the claim continues on a new one.
     */
    void run(List<ClaimedRow> rows, Claim claim, List<Outcome> outcomes) {
        while (outcomes.size() < rows.size() && !stop.getAsBoolean()) {
            RowSequence sequence = new RowSequence(this, rows.subList(outcomes.size(), rows.size()), claim);
            Future<?> f = runner.submit(sequence);
            Outcome timedOut;
            try {
                timedOut = supervise(sequence, f);
            } finally {
                outcomes.addAll(sequence.outcomes());
            }
            if (timedOut == null) {
                break; // every row ran, or the runner saw the stop
            }
            outcomes.add(timedOut);
        }
    }

    /**
     * Waits for a sequence until it ends; or until its running experiment passes its timeout, or,
     * once the worker is stopping (the task was killed: interrupted or flagged), the shutdown
     * grace period from then on. A timed-out experiment is given up and its outcome returned;
     * one that outlives the grace period is left to be released, and this throws.
     */
    private Outcome supervise(RowSequence sequence, Future<?> f) {
        Duration timeout = store.config().timeout();
        long graceEnd = Long.MAX_VALUE;
        while (true) {
            long now = System.nanoTime();
            if (graceEnd == Long.MAX_VALUE && stop.getAsBoolean()) {
                graceEnd = now + store.config().shutdownGrace().toNanos();
            }
            RowSequence.Running current = sequence.current;
            boolean exiting = graceEnd != Long.MAX_VALUE && ThreadProbe.callsExit(sequence.thread);
            long deadline =
                    current == null || timeout.isZero() ? Long.MAX_VALUE : current.startNanos() + timeout.toNanos();
            long left = Math.min(deadline, graceEnd) - now;
            if (current != null && (left <= 0 || exiting) && sequence.giveUp(current)) {
                return givenUp(sequence, f, current, timeout);
            }
            try {
                long wait = left <= 0
                        ? TimeUnit.MILLISECONDS.toNanos(10)
                        : Math.min(left, TimeUnit.MILLISECONDS.toNanos(200));
                f.get(wait, TimeUnit.NANOSECONDS);
                return null;
            } catch (TimeoutException slice) {
                // look again at the deadlines and at whether the run is stopping
            } catch (InterruptedException killed) {
                // the Spark task is being killed (job cancelled, driver stopping): the grace period starts
                stop.stop();
            } catch (ExecutionException e) {
                throw new ExperimenterException(
                        "the experiment runner of " + store.table() + " failed: " + e.getCause(), e.getCause());
            }
        }
    }

    /** The outcome of an experiment that ran out of time: its thread is interrupted and replaced. */
    private Outcome givenUp(RowSequence sequence, Future<?> f, RowSequence.Running current, Duration timeout) {
        RowContext ctx = current.ctx();
        ctx.timedOut = true;
        Thread runnerThread = sequence.thread;
        boolean exiting = ThreadProbe.callsExit(runnerThread)
                || (runnerThread != null && ThreadProbe.anyCallsExit(runnerThread.getThreadGroup()));
        f.cancel(true);
        String kind;
        String error;
        Map<String, Object> params = ctx.parameters().asMap();
        long id = current.row().id();
        if (exiting) {
            // The JVM is shutting down because of the experiment: releasing the row would only
            // run it again (in local mode the next run would end the same way, forever).
            stop.stop();
            kind = "exit";
            error = "exit: experiment " + id + " " + params + " called System.exit; the JVM is shutting down";
        } else if (stop.getAsBoolean()) {
            ctx.close();
            LOG.warning("experiment " + id + " of " + store.table()
                    + " did not finish within the shutdown grace period; released");
            throw new StoreException("stopped while experiment " + id + " was running; its row was released");
        } else {
            kind = "timeout";
            error = "timeout: experiment " + id + " " + params + " did not finish within " + timeout;
            replaceRunner(id);
        }
        double millis = (System.nanoTime() - current.startNanos()) / 1e6;
        recordMillis(millis);
        writePendingLogs(ctx, id);
        // not measured: the energy meter counts one busy core for the wall time
        var energy =
                current.meterStart() == null ? null : meter.stop(current.meterStart(), Double.NaN, millis / 1000.0);
        return new Outcome(
                id,
                Status.ERROR,
                Map.of(),
                ctx.resultTimes(),
                kind,
                error,
                new Outcome.Measure(current.start(), millis / 1000.0, Double.NaN, -1, energy),
                new Outcome.Ran(sparkApp, null, null, null),
                false);
    }

    void recordMillis(double millis) {
        averageMillis = averageMillis < 0 ? millis : 0.8 * averageMillis + 0.2 * millis;
    }

    static void writePendingLogs(RowContext ctx, long id) {
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

    /** The experiment of a row: the run's own, or the row's experiment_class; null when that cannot be loaded. */
    Experiment experimentFor(ClaimedRow row) {
        if (row.experimentClass() == null) {
            return experiment;
        }
        return byClass.computeIfAbsent(row.experimentClass(), name -> {
            try {
                return ExperimentLoader.load(name);
            } catch (ExperimentLoader.NotLoadable ex) {
                LOG.warning(
                        "experiment class " + name + " of row " + row.id() + " cannot be loaded: " + ex.getMessage());
                return null;
            }
        });
    }

    /**
     * Interrupts the timed-out experiment's thread and waits for it a while, so the next row does
     * not start beside it. A command answers the interrupt by ending its process tree, which takes
     * up to its kill-grace and a last wait for SIGKILL; that is waited for too.
     */
    private void replaceRunner(long id) {
        ExecutorService old = runner;
        old.shutdownNow();
        var command = store.config().command();
        Duration patience = Duration.ofSeconds(2);
        if (command != null) {
            patience = patience.plus(command.killGrace()).plusSeconds(5);
        }
        try {
            if (!old.awaitTermination(patience.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warning(
                        command != null
                                ? "the command of experiment " + id + " of " + store.table() + " did not end within "
                                        + patience + " after its timeout; its thread is abandoned"
                                : "experiment " + id + " of " + store.table()
                                        + " ignored its interrupt after a timeout; its thread is abandoned");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        runner = newRunner();
    }

    /**
     * The runner thread, in a thread group of its own: the threads its experiments start are in
     * it too, so a System.exit called from one of them is the running experiment's
     * ({@link ThreadProbe#anyCallsExit}). The group ends with its last thread.
     */
    @SuppressWarnings("removal") // ThreadGroup.setDaemon: the group is destroyed with its last thread
    private ExecutorService newRunner() {
        return Executors.newSingleThreadExecutor(r -> {
            ThreadGroup group = new ThreadGroup("experimenter-experiment-" + executor);
            group.setDaemon(true);
            Thread t = new Thread(group, r, "experimenter-experiment-" + executor);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void close() {
        runner.shutdownNow();
    }
}
