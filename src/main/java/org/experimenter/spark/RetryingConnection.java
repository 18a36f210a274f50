package org.experimenter.spark;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.experimenter.StoreException;
import org.experimenter.store.ExperimentStore;
import org.experimenter.store.PermanentStoreException;

/**
 * The worker's database calls for claims, finishes, checks and releases: each takes a connection
 * of the JVM's pool for the call and returns it, retries with backoff when a call fails (a
 * database restart), for up to two minutes, and holds the per-JVM write lock where the database
 * takes one writer at a time (SQLite). Used by the task thread only.
 */
final class RetryingConnection implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RetryingConnection.class.getName());

    interface SqlCall<T> {
        T call(Connection c) throws SQLException;
    }

    private final ExperimentStore store;
    private final Object writeLock;

    RetryingConnection(ExperimentStore store) {
        this.store = store;
        this.writeLock = store.dialect().writeLock(store.config().url());
    }

    /**
     * Runs a database call, reconnecting with backoff when it fails (a database restart), for up
     * to two minutes. Calls of the workers of one JVM go one at a time where the database takes
     * one writer at a time (SQLite). An error the dialect calls permanent is not retried: it
     * throws {@link PermanentStoreException} at once. Every call is guarded by status and claim, so
     * repeating it is safe; a finish whose commit was lost on the way reports false on repetition, and is then
     * checked.
     */
    <T> T withRetry(String what, SqlCall<T> call) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        long backoff = 200;
        while (true) {
            // a connection of the JVM's pool for this call only: tasks take turns on a few
            try (Connection connection = store.connectHoldingRows()) {
                if (writeLock == null) {
                    return call.call(connection);
                }
                synchronized (writeLock) {
                    return call.call(connection);
                }
            } catch (SQLException e) {
                if (store.dialect().isPermanent(e)) {
                    // the connection is fine; the statement or its data is not, and will not become so
                    throw new PermanentStoreException("cannot " + what + ": " + e.getMessage(), e);
                }
                backoff = retryLater(what, e, deadline, backoff);
            } catch (StoreException e) {
                backoff = retryLater(what, e, deadline, backoff);
            }
        }
    }

    /** Drops the connection and sleeps before the next try; throws when the retry window is over. */
    private long retryLater(String what, Exception e, long deadline, long backoff) {
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
        return Math.min(backoff * 2, 5000);
    }

    @Override
    public void close() {
        // nothing held: each call returns its connection to the pool
    }

    static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing a broken connection has nothing more to tell
            }
        }
    }
}
