package org.experimenter.spark;

import java.io.PrintStream;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.experimenter.Status;
import org.experimenter.store.ExperimentStore;
import org.experimenter.store.RunScope;

/**
 * Shows how a run is getting on, from a driver thread that counts the run's rows every few
 * seconds: finished of total (done and error), running, rate and the estimated time left.
 *
 * <p>On a terminal the line is redrawn in place every {@link #TERMINAL_INTERVAL}; otherwise (a
 * log file, a cluster's driver) a plain line is printed every {@link #LOG_INTERVAL}. A last
 * line is printed when the run ends.
 */
final class Progress implements AutoCloseable {
    static final Duration TERMINAL_INTERVAL = Duration.ofSeconds(2);
    static final Duration LOG_INTERVAL = Duration.ofSeconds(30);
    private static final Logger LOG = Logger.getLogger(Progress.class.getName());
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    /** The run's rows by status at one moment. */
    static final class Counts {
        final long done;
        final long error;
        final long running;
        final long waiting;

        Counts(long done, long error, long running, long waiting) {
            this.done = done;
            this.error = error;
            this.running = running;
            this.waiting = waiting;
        }

        long finished() {
            return done + error;
        }

        long total() {
            return done + error + running + waiting;
        }
    }

    private final ExperimentStore store;
    private final String runId;
    private final RunScope scope;
    private final PrintStream out;
    private final boolean terminal;
    private final long startNanos = System.nanoTime();
    private final ScheduledExecutorService timer;
    private int lastWidth;
    private volatile boolean failedOnce;

    Progress(
            ExperimentStore store, String runId, RunScope scope, PrintStream out, boolean terminal, Duration interval) {
        this.store = store;
        this.runId = runId;
        this.scope = scope;
        this.out = out;
        this.terminal = terminal;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "experimenter-progress");
            t.setDaemon(true);
            return t;
        });
        long ms = interval.toMillis();
        timer.scheduleWithFixedDelay(this::show, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Starts showing the progress of a run on standard error: redrawn on a terminal, log lines otherwise. */
    static Progress start(ExperimentStore store, String runId, RunScope scope) {
        // (a command the daemon runs: whether its command line is in one)
        boolean terminal = System.console() != null || Boolean.getBoolean("experimenter.daemon.terminal");
        return new Progress(store, runId, scope, System.err, terminal, terminal ? TERMINAL_INTERVAL : LOG_INTERVAL);
    }

    /** Stops the thread and prints the last line. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        show();
        if (terminal) {
            synchronized (this) {
                out.println();
                out.flush();
            }
        }
    }

    /** This run's rows, and the rows of its scope still waiting to be claimed. */
    Counts poll() {
        Map<Status, Long> n = store.runs().runCounts(runId, scope);
        return new Counts(
                n.get(Status.DONE),
                n.get(Status.ERROR),
                n.get(Status.RUNNING),
                n.get(Status.CREATED) + n.get(Status.PAUSED));
    }

    private void show() {
        Counts c;
        try {
            c = poll();
        } catch (RuntimeException e) {
            // progress is a courtesy: a failed count must not disturb the run
            if (!failedOnce) {
                failedOnce = true;
                LOG.warning("progress of " + store.table() + " not shown: " + e.getMessage());
            }
            return;
        }
        String line = line(store.table(), c, (System.nanoTime() - startNanos) / 1e9);
        synchronized (this) {
            if (terminal) {
                String pad = " ".repeat(Math.max(0, lastWidth - line.length()));
                lastWidth = line.length();
                out.print("\r" + line + pad);
            } else {
                out.println(LocalTime.now().format(TIME) + " progress " + line);
            }
            out.flush();
        }
    }

    /** One progress line, e.g. {@code t: 35/80 finished (34 done, 1 error), 2 running, 5.1/s, ETA 0:09}. */
    static String line(String table, Counts c, double elapsedSeconds) {
        StringBuilder b = new StringBuilder();
        b.append(table)
                .append(": ")
                .append(c.finished())
                .append('/')
                .append(c.total())
                .append(" finished");
        if (c.total() > 0) {
            b.append(String.format(Locale.ROOT, " (%d%%)", 100 * c.finished() / c.total()));
        }
        b.append(", ").append(c.done).append(" done, ").append(c.error).append(c.error == 1 ? " error, " : " errors, ");
        b.append(c.running).append(" running");
        double rate = elapsedSeconds > 0 ? c.finished() / elapsedSeconds : 0;
        if (c.finished() == 0 || rate <= 0) {
            return b.append(", rate -, ETA -").toString();
        }
        b.append(", ")
                .append(
                        rate >= 1
                                ? String.format(Locale.ROOT, "%.1f/s", rate)
                                : String.format(Locale.ROOT, "%.1f/min", rate * 60));
        long left = c.running + c.waiting;
        b.append(", ETA ").append(duration(Math.round(left / rate)));
        return b.toString();
    }

    /** Seconds as m:ss, or h:mm:ss from an hour on. */
    static String duration(long seconds) {
        long h = seconds / 3600;
        long m = (seconds % 3600) / 60;
        long s = seconds % 60;
        return h > 0
                ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s)
                : String.format(Locale.ROOT, "%d:%02d", m, s);
    }
}
