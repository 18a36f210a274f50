package org.experimenter.web;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.experimenter.ExperimenterException;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.spark.SparkTables;
import org.experimenter.store.dialect.Redact;

/**
 * The evaluation and plot views' Spark: one warm SparkSession, one copy of the table cached in
 * it, and the answers computed from that copy. All Spark work runs on one thread, so the copy
 * is replaced between jobs, never under one.
 *
 * <p>The copy is read again (through JDBC, in id ranges) when the rows' {@link Overview#version()
 * version} changed, at most every {@link #REREAD_NANOS}: while a run writes rows every second
 * the database is read a few times a minute, not once per page. An answer computed from an
 * older copy than the rows is returned at once, marked stale, and computed again in the
 * background; the page asks again until it is fresh.
 */
final class SparkViews implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SparkViews.class.getName());
    private static final long REREAD_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final int MAX_ANSWERS = 64;
    private static final long MAX_WAIT_MINUTES = 10;
    /**
     * Computations asked for and not yet answered, at most: past them a new one is refused with
     * 503 at once, so that requests a client gave up on cannot queue Spark work for everyone else.
     */
    static final int MAX_PENDING = 8;

    /** An answer, when the copy of the table it was computed from was read, and whether rows changed since. */
    record Answer<T>(T value, Instant asOf, boolean stale) {}

    /** What a view's computation gets: the session and the cached copy of the table. */
    record Source(SparkSession spark, Dataset<Row> table) {}

    private record Entry(Object value, String version, Instant asOf) {}

    private final ExperimentConfig config;
    private final Overview overview;
    private final Supplier<SparkSession> opener;
    private final boolean ownsSession;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "experimenter-web-spark");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Entry> answers = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > MAX_ANSWERS;
        }
    };
    private final Set<String> refreshing = ConcurrentHashMap.newKeySet();
    /** The computations asked for and not answered yet, by key: requests for the same key share one. */
    private final Map<String, CompletableFuture<Entry>> pending = new HashMap<>();

    // the Spark thread's own
    private SparkSession spark;
    private Dataset<Row> table;
    private String tableVersion;
    private Instant tableAsOf;
    private long tableReadNanos;

    /**
     * @param opener opens the session on first use (on the Spark thread)
     * @param ownsSession whether {@link #close()} stops the session
     */
    SparkViews(ExperimentConfig config, Overview overview, Supplier<SparkSession> opener, boolean ownsSession) {
        this.config = config;
        this.overview = overview;
        this.opener = opener;
        this.ownsSession = ownsSession;
    }

    /** Starts Spark and reads the table in the background, so that the first evaluation is quick. */
    void warmUp() {
        thread.execute(() -> {
            try {
                fresh();
            } catch (RuntimeException e) {
                LOG.log(
                        Level.WARNING,
                        "web view: could not read " + config.table() + " into Spark: "
                                + Redact.text(e.getMessage(), config.url(), config.password()));
            }
        });
    }

    /**
     * The answer for key: computed now when there is none, else the cached one (computed again in
     * the background when the rows changed).
     *
     * @throws Http.Failure 400 when the computation refuses its parameters (an unknown field, no done rows)
     */
    <T> Answer<T> get(String key, Function<Source, T> work) {
        Entry e;
        synchronized (answers) {
            e = answers.get(key);
        }
        if (e == null) {
            e = await(key, submit(key, work));
        }
        boolean stale = !e.version().equals(overview.version());
        if (stale) {
            refreshLater(key, work);
        }
        @SuppressWarnings("unchecked")
        T value = (T) e.value();
        return new Answer<>(value, e.asOf(), stale);
    }

    /** The pending computation of key, or a new one when fewer than {@link #MAX_PENDING} are pending. */
    private <T> CompletableFuture<Entry> submit(String key, Function<Source, T> work) {
        CompletableFuture<Entry> f;
        synchronized (pending) {
            f = pending.get(key);
            if (f != null) {
                return f;
            }
            if (pending.size() >= MAX_PENDING) {
                throw new Http.Failure(
                        503, "the web view is computing " + MAX_PENDING + " other answers; try again in a moment");
            }
            f = new CompletableFuture<>();
            pending.put(key, f);
        }
        CompletableFuture<Entry> mine = f;
        thread.execute(() -> {
            try {
                if (!mine.isDone()) { // not cancelled by a caller who gave up
                    mine.complete(compute(key, work));
                }
            } catch (RuntimeException | Error ex) {
                mine.completeExceptionally(ex);
            } finally {
                synchronized (pending) {
                    pending.remove(key, mine);
                }
            }
        });
        return f;
    }

    private <T> void refreshLater(String key, Function<Source, T> work) {
        if (!refreshing.add(key)) {
            return;
        }
        long wait = Math.max(0, REREAD_NANOS - (System.nanoTime() - tableReadNanos));
        thread.schedule(
                () -> {
                    try {
                        compute(key, work);
                    } catch (RuntimeException ex) {
                        // the next request computes it in the foreground and shows the message
                        synchronized (answers) {
                            answers.remove(key);
                        }
                    } finally {
                        refreshing.remove(key);
                    }
                },
                wait,
                TimeUnit.NANOSECONDS);
    }

    private <T> Entry compute(String key, Function<Source, T> work) {
        fresh();
        T value = work.apply(new Source(spark, table));
        Entry e = new Entry(value, tableVersion, tableAsOf);
        synchronized (answers) {
            answers.put(key, e);
        }
        return e;
    }

    /** Makes sure the session is up and the copy is of the current rows, unless it was read a moment ago. */
    private void fresh() {
        if (spark == null || spark.sparkContext().isStopped()) {
            spark = opener.get();
            table = null;
        }
        String current = overview.version();
        if (table == null || (!current.equals(tableVersion) && System.nanoTime() - tableReadNanos >= REREAD_NANOS)) {
            if (table != null) {
                table.unpersist(false);
            }
            Instant asOf = Instant.now();
            long t0 = System.nanoTime();
            spark.sparkContext().setJobDescription("experimenter serve: reading table " + config.table());
            try {
                Dataset<Row> copy = SparkTables.table(spark, config).persist(StorageLevel.MEMORY_AND_DISK());
                long rows = copy.count();
                LOG.fine(() -> "web view: read " + rows + " rows of " + config.table() + " in "
                        + (System.nanoTime() - t0) / 1_000_000 + " ms");
                table = copy;
            } finally {
                spark.sparkContext().setJobDescription(null);
            }
            tableVersion = current;
            tableAsOf = asOf;
            tableReadNanos = System.nanoTime();
        }
    }

    private Entry await(String key, Future<Entry> f) {
        try {
            return f.get(MAX_WAIT_MINUTES, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof ExperimenterException) {
                throw new Http.Failure(400, c.getMessage());
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(c);
        } catch (TimeoutException | CancellationException e) {
            f.cancel(true);
            synchronized (pending) {
                pending.remove(key, f);
            }
            throw new Http.Failure(503, "Spark took more than " + MAX_WAIT_MINUTES + " minutes; try again");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Http.Failure(503, "interrupted");
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ownsSession && spark != null) {
            spark.stop();
        } else if (table != null) {
            // a session of the caller's: give back the memory of the copy
            table.unpersist(false);
        }
    }
}
