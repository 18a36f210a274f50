package org.experimenter.spark;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

/**
 * Whether a row's process (a command, a Python worker) died because the whole job was told to
 * stop from outside: Slurm's scancel or time limit signal every process of the job, a terminal's
 * hang-up every process of its session. Such a death is not the row's failure when this JVM is
 * stopping too (its run's stop flag, or its shutdown, seen within {@link #WAIT_MILLIS}): the row
 * goes back to created, as rows still running when a run stops do.
 */
final class StoppedFromOutside {
    /** How long the JVM may take to hear the same signal after the row's process died of it. */
    static final long WAIT_MILLIS = 3000;

    private static final Pattern SIGNALS = Pattern.compile("killed by signal \\d+ \\((SIGTERM|SIGINT|SIGHUP)\\)");

    private StoppedFromOutside() {}

    /** A process of the row was killed by SIGTERM, SIGINT or SIGHUP. */
    static boolean endedBySignal(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && SIGNALS.matcher(t.getMessage()).find()) {
                return true;
            }
        }
        return false;
    }

    /** The run was told to stop, or this JVM is shutting down, now or within WAIT_MILLIS. */
    static boolean stopping(BooleanSupplier stop) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (true) {
            if (stop.getAsBoolean() || shuttingDown()) {
                return true;
            }
            if (System.nanoTime() >= end) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true; // interrupted: the task is being killed
            }
        }
    }

    /** Whether the JVM's shutdown has begun: no hook can be added then. */
    static boolean shuttingDown() {
        if (shutDown) {
            return true;
        }
        Thread probe = new Thread(() -> {});
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            shutDown = true;
            return true;
        }
    }

    /** Seen once, for good: a shutdown does not end. */
    private static volatile boolean shutDown;
}
