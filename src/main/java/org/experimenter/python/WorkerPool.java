package org.experimenter.python;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.experimenter.config.PythonSettings;

/**
 * The Python workers of this JVM (an executor, or the driver in local mode), by their
 * settings: a row takes an idle worker or starts one, and gives it back when the row ended
 * with the worker healthy, so there are as many workers as rows ever ran at once (one per task
 * slot), kept across claims and tasks. A function whose import failed is remembered, so that
 * every later row fails at once instead of starting an interpreter each.
 *
 * <p>When the JVM exits, workers still running a row are given their patience (in a driver,
 * the run's shutdown grace: its stop hook lets running rows finish) and then every worker's
 * tree is ended. A JVM killed by SIGKILL runs no hook: each worker sees its parent gone and ends
 * its own session.
 *
 * <p>A worker idle for its settings' {@code worker-idle-timeout} is ended by a thread of the
 * pool the moment that time runs out (an executor JVM outlives its tasks and would otherwise
 * keep every interpreter it ever started); the next row of its settings starts a new one.
 */
final class WorkerPool {
    private static final Logger LOG = Logger.getLogger(WorkerPool.class.getName());
    private static final Map<PythonSettings, Deque<PythonWorker>> IDLE = new HashMap<>();
    private static final Map<PythonSettings, String> BROKEN = new HashMap<>();
    /** Workers running a row, with how long the JVM's exit waits for them. */
    private static final Map<PythonWorker, Duration> BUSY = new ConcurrentHashMap<>();

    private static final Set<PythonWorker> LIVE = ConcurrentHashMap.newKeySet();

    /** Workers being started ahead of the rows ({@link #prestart}), by settings: a row waits for them. */
    private static final Map<PythonSettings, Integer> STARTING = new HashMap<>();

    /** Ends idle workers whose idle timeout ran out; started with the first such worker. */
    private static Thread reaper;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(WorkerPool::atExit, "experimenter-python-reaper"));
    }

    private WorkerPool() {}

    /** Why the function of these settings cannot run in this JVM, or null. */
    static synchronized String broken(PythonSettings s) {
        return BROKEN.get(s);
    }

    static synchronized void markBroken(PythonSettings s, String why) {
        BROKEN.putIfAbsent(s, why);
    }

    /**
     * An idle worker of these settings, now busy; null when there is none and none is being
     * started ahead (a row waits for a worker being started rather than start one more).
     */
    static PythonWorker take(PythonSettings s, Duration patience) throws InterruptedException {
        PythonWorker w;
        synchronized (WorkerPool.class) {
            while (true) {
                Deque<PythonWorker> idle = IDLE.getOrDefault(s, new ArrayDeque<>());
                do {
                    w = idle.pollFirst();
                } while (w != null && !w.alive());
                if (w != null || STARTING.getOrDefault(s, 0) == 0) {
                    break;
                }
                WorkerPool.class.wait();
            }
        }
        if (w != null) {
            BUSY.put(w, patience);
        }
        return w;
    }

    /**
     * Starts {@code n} workers of these settings in the background, each importing the function,
     * and puts them idle for the rows to come: the driver of a local run calls it before Spark
     * starts, so that the interpreters' start and the function's import overlap Spark's. A
     * failed import is remembered as for a row ({@link #markBroken}), and the rows then fail with it.
     */
    static void prestart(PythonSettings s, int n) {
        synchronized (WorkerPool.class) {
            if (n <= 0 || BROKEN.containsKey(s)) {
                return;
            }
            STARTING.merge(s, n, Integer::sum);
        }
        for (int i = 0; i < n; i++) {
            Thread t = new Thread(
                    () -> {
                        try {
                            giveBack(FunctionCall.importing(s, Duration.ZERO, true));
                        } catch (Exception e) {
                            // importing remembered why; the rows that wait for this worker say it
                        } finally {
                            synchronized (WorkerPool.class) {
                                STARTING.merge(s, -1, Integer::sum);
                                WorkerPool.class.notifyAll();
                            }
                        }
                    },
                    "experimenter-python-prestart-" + i);
            t.setDaemon(true);
            t.start();
        }
    }

    /** A worker just started, now busy. */
    static void started(PythonWorker w, Duration patience) {
        LIVE.add(w);
        BUSY.put(w, patience);
    }

    /** The row ended and the worker is healthy: idle again, or replaced once it ran its rows. */
    static void giveBack(PythonWorker w) {
        BUSY.remove(w);
        int max = w.settings.maxRowsPerWorker();
        if (max > 0 && w.rows() >= max) {
            // ended as an idle worker is (its atexit handlers run), beside the rows that go on
            Thread t = new Thread(
                    () -> {
                        try {
                            w.retire(w.settings.killGrace());
                        } finally {
                            LIVE.remove(w);
                        }
                    },
                    "experimenter-python-retire-" + w.pid());
            t.setDaemon(true);
            t.start();
            return;
        }
        synchronized (WorkerPool.class) {
            w.idleSince = System.nanoTime();
            IDLE.computeIfAbsent(w.settings, k -> new ArrayDeque<>()).addFirst(w);
            if (!w.settings.workerIdleTimeout().isZero() && reaper == null) {
                reaper = new Thread(WorkerPool::reap, "experimenter-python-idle");
                reaper.setDaemon(true);
                reaper.start();
            }
            // the reaper's next timeout, and a row waiting for a worker being started ahead
            WorkerPool.class.notifyAll();
        }
    }

    /** Waits for the next idle timeout to run out and ends the workers whose ran out, forever. */
    private static void reap() {
        while (true) {
            List<PythonWorker> expired = new ArrayList<>();
            synchronized (WorkerPool.class) {
                long now = System.nanoTime();
                long next = Long.MAX_VALUE;
                for (Deque<PythonWorker> idle : IDLE.values()) {
                    for (Iterator<PythonWorker> it = idle.iterator(); it.hasNext(); ) {
                        PythonWorker w = it.next();
                        long timeout = nanos(w.settings.workerIdleTimeout());
                        if (timeout == 0) {
                            continue;
                        }
                        long left = timeout - (now - w.idleSince);
                        if (left <= 0) {
                            it.remove();
                            expired.add(w);
                        } else {
                            next = Math.min(next, left);
                        }
                    }
                }
                if (expired.isEmpty()) {
                    try {
                        if (next == Long.MAX_VALUE) {
                            WorkerPool.class.wait();
                        } else {
                            TimeUnit.NANOSECONDS.timedWait(WorkerPool.class, next);
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                    continue;
                }
            }
            for (PythonWorker w : expired) {
                try {
                    LOG.fine(() -> "Python worker " + w.pid() + " for " + w.settings.function() + " idle for "
                            + w.settings.workerIdleTimeout() + " (worker-idle-timeout): ending it");
                    w.retire(w.settings.killGrace());
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "cannot end the idle Python worker " + w.pid(), e);
                } finally {
                    LIVE.remove(w);
                }
            }
        }
    }

    private static long nanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE; // beyond 292 years: never
        }
    }

    /**
     * Ends every idle worker (as an idle timeout does) and forgets which functions failed to
     * import: the next row imports its function anew. For a JVM that outlives the command that
     * started them (the daemon, between commands), where the function's file may since have changed.
     */
    static void endIdle() {
        List<PythonWorker> idle = new java.util.ArrayList<>();
        synchronized (WorkerPool.class) {
            // workers still importing ahead of rows (a run that had less to do) first become idle
            long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (STARTING.values().stream().anyMatch(n -> n > 0) && System.nanoTime() < end) {
                try {
                    WorkerPool.class.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            IDLE.values().forEach(idle::addAll);
            IDLE.clear();
            BROKEN.clear();
        }
        for (PythonWorker w : idle) {
            try {
                w.retire(w.settings.killGrace());
            } finally {
                LIVE.remove(w);
            }
        }
    }

    /** Ends a worker and what it started (SIGTERM, SIGKILL after the kill grace). */
    static void discard(PythonWorker w) {
        BUSY.remove(w);
        try {
            w.end(w.settings.killGrace());
        } finally {
            LIVE.remove(w);
        }
    }

    private static void atExit() {
        long start = System.nanoTime();
        for (Map.Entry<PythonWorker, Duration> e : List.copyOf(BUSY.entrySet())) {
            while (BUSY.containsKey(e.getKey())
                    && System.nanoTime() - start < e.getValue().toNanos()) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ex) {
                    break;
                }
            }
        }
        List<PythonWorker> left = List.copyOf(LIVE);
        List<Thread> enders = new java.util.ArrayList<>();
        for (PythonWorker w : left) {
            Thread t = new Thread(() -> w.end(w.settings.killGrace()), "experimenter-python-end-" + w.pid());
            t.start();
            enders.add(t);
        }
        for (Thread t : enders) {
            try {
                t.join();
            } catch (InterruptedException ex) {
                return;
            }
        }
    }
}
