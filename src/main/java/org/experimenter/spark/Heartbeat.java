package org.experimenter.spark;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.experimenter.store.ExperimentStore;
import org.experimenter.store.dialect.Redact;

/**
 * Owns the leases of a JVM's workers: one scheduled daemon thread per JVM and table that, every
 * {@code lease.heartbeat-interval}, refreshes in one statement the heartbeat of the running rows
 * held under the live claim tokens of every worker of the JVM, on a connection of the JVM's pool.
 *
 * <p>Contract. A token is live from {@link #hold} to {@link #drop}; the worker holds it before
 * the claim statement runs and drops it once the claim's outcomes are written and its rows not
 * started released, so no row it holds as running goes without beats. While this thread lives,
 * each such row is refreshed once per interval; a failed beat is logged and retried at the next
 * one on a fresh connection, whatever it threw: a scheduled task that throws is never run
 * again, and rows without beats are recovered and run twice. Each failure is a warning with the
 * count of failures in a row, and a severe line marks the beat at which the lease is gone. A row
 * whose beats fail for longer than the lease (interval x missed-beats) can be recovered and run
 * again elsewhere; the worker's guarded writes then find the claim lost and change nothing.
 */
final class Heartbeat implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Heartbeat.class.getName());

    private final ExperimentStore store;
    private final Supplier<Connection> connect;
    private final int beatsPerLease;
    private final Set<String> liveTokens = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService scheduler;
    private int failures;
    /** The workers using a heartbeat of {@link #SHARED}; guarded by SHARED. */
    private int users;

    /** One heartbeat per JVM and experiment table: every task's claims refreshed in one statement. */
    private static final Map<SharedKey, Heartbeat> SHARED = new HashMap<>();

    /**
     * What makes two workers' heartbeats one: the same table of the same database, reached with the
     * same credentials (the password too: a wrong one must fail its own workers, not borrow another
     * config's connections), beaten alike. Printed without the password.
     */
    record SharedKey(String url, String user, String password, String table, Duration interval, Duration lease) {
        static SharedKey of(ExperimentStore store) {
            return new SharedKey(
                    store.config().url(),
                    store.config().user(),
                    store.config().password(),
                    store.table(),
                    store.config().heartbeatInterval(),
                    store.config().leaseTimeout());
        }

        @Override
        public String toString() {
            return "SharedKey[url=" + Redact.url(url) + ", user=" + user + ", table=" + table + ", interval=" + interval
                    + ", lease=" + lease + "]";
        }
    }

    /**
     * The heartbeat of this JVM for the store's table, started by the first worker that asks;
     * each worker gives it back with {@link #close()}, and the last one stops it.
     */
    static Heartbeat shared(ExperimentStore store) {
        SharedKey key = SharedKey.of(store);
        synchronized (SHARED) {
            Heartbeat h = SHARED.computeIfAbsent(key, k -> new Heartbeat(store, "jvm", k));
            h.users++;
            return h;
        }
    }

    private final SharedKey sharedKey;

    private Heartbeat(ExperimentStore store, String executor, SharedKey sharedKey) {
        this(store, executor, store::connectHoldingRows, sharedKey);
    }

    Heartbeat(ExperimentStore store, String executor) {
        this(store, executor, store::connectHoldingRows, null);
    }

    /** With the connections taken from {@code connect} (tests make it fail). */
    Heartbeat(ExperimentStore store, String executor, Supplier<Connection> connect) {
        this(store, executor, connect, null);
    }

    private Heartbeat(ExperimentStore store, String executor, Supplier<Connection> connect, SharedKey sharedKey) {
        this.sharedKey = sharedKey;
        this.store = store;
        this.connect = connect;
        this.beatsPerLease = (int) Math.max(
                1,
                store.config().leaseTimeout().toMillis()
                        / store.config().heartbeatInterval().toMillis());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
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
        try (Connection connection = connect.get()) {
            store.heartbeat(connection, new ArrayList<>(liveTokens));
            if (failures > 0) {
                LOG.info("heartbeat for " + store.table() + " is beating again after " + failures + " failed beats");
                failures = 0;
            }
        } catch (Throwable t) { // anything escaping would end the schedule, and with it the lease
            try {
                failed(t);
            } catch (Throwable again) {
                // not even the failure could be handled (out of memory?): the next beat tries again
            }
        }
    }

    private void failed(Throwable t) {
        failures++;
        boolean expected = t instanceof SQLException || t instanceof RuntimeException;
        String message = "heartbeat for " + store.table() + " failed; retrying next beat: "
                + (expected ? t.getMessage() : t.toString()) + " (" + failures + " failed in a row)";
        // an Error here is unusual enough to want its stack
        LOG.log(Level.WARNING, message, expected ? null : t);
        if (failures == beatsPerLease) {
            LOG.severe(
                    "heartbeat for " + store.table() + " failed " + failures + " times in a row, as long as the lease ("
                            + store.config().leaseTimeout() + "): the " + liveTokens.size()
                            + " claims this worker holds may be recovered and their rows run again elsewhere");
        }
    }

    /** Stops the heartbeat; a shared one only when its last worker gives it back. */
    @Override
    public void close() {
        if (sharedKey != null) {
            synchronized (SHARED) {
                if (--users > 0) {
                    return;
                }
                SHARED.remove(sharedKey);
            }
        }
        scheduler.shutdownNow();
    }
}
