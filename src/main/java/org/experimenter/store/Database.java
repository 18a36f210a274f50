package org.experimenter.store;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.experimenter.StoreException;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.store.dialect.Dialect;
import org.experimenter.store.dialect.Redact;

/**
 * The database of one config as the rooms of the store see it: new connections, the dialect,
 * the schema, the clock, and error messages with every secret removed. It holds no open
 * connection, so it travels to executors.
 */
final class Database implements Serializable {
    private static final long serialVersionUID = 1L;

    final ExperimentConfig config;
    final Dialect dialect;
    final Schema schema;
    /** The experiment table. */
    final String table;
    /** How often the database's clock is read again (the JVM's clock may be stepped meanwhile). */
    private static final long CLOCK_CHECK_NANOS = TimeUnit.MINUTES.toNanos(10);

    private Clock clock = Clock.systemUTC();
    /** Found on the driver before the store travels, so executors record the driver's view of the code. */
    private volatile org.experimenter.provenance.Provenance provenance;

    private transient volatile long databaseOffsetMillis;
    private transient volatile long offsetReadAt;
    private transient volatile boolean offsetRead;

    Database(ExperimentConfig config) {
        this.config = config;
        this.dialect = Dialect.forUrl(config.url());
        this.schema = new Schema(config, dialect);
        this.table = config.table();
    }

    /** The provenance of this config's attempts, found at the first call in this JVM unless it travelled here. */
    org.experimenter.provenance.Provenance provenance() {
        return provenanceFor(null);
    }

    /** The same, the code being that of the experiment class given (null: the config's) unless known already. */
    org.experimenter.provenance.Provenance provenanceFor(Class<?> experimentClass) {
        if (provenance == null) {
            provenance = org.experimenter.provenance.CodeVersion.of(config, experimentClass);
        }
        return provenance;
    }

    void setClock(Clock clock) {
        this.clock = clock;
    }

    Instant now() {
        return clock.instant();
    }

    /**
     * The database's time in epoch milliseconds, for heartbeats and lease checks: this JVM's
     * clock corrected by its difference from the database's, read on the given connection the
     * first time and every ten minutes after. Executors whose clocks differ from each other (or
     * from the driver's) by more than a lease then still agree on which rows are lost; the
     * correction is as good as the round trip of one query.
     */
    long databaseMillis(Connection c) throws SQLException {
        long t = System.nanoTime();
        if (!offsetRead || t - offsetReadAt > CLOCK_CHECK_NANOS) {
            long before = clock.millis();
            long database = Jdbc.query(c, dialect.currentTimeMillisQuery(), Jdbc.NO_PARAMETERS, rs -> rs.getLong(1))
                    .get(0);
            long after = clock.millis();
            databaseOffsetMillis = database - (before + after) / 2;
            offsetReadAt = t;
            offsetRead = true;
        }
        return clock.millis() + databaseOffsetMillis;
    }

    /**
     * A connection from this JVM's pool for the database, auto-commit on; closing it returns it.
     * Errors name the redacted URL.
     */
    Connection connect() {
        try {
            return ConnectionPools.connect(config, dialect);
        } catch (SQLException e) {
            throw new StoreException(
                    "cannot connect to " + Redact.url(config.url()) + ": " + clean(e.getMessage()), cleanCause(e));
        }
    }

    /**
     * A connection for an executor that holds rows (claims, heartbeats, finishes): an answer is
     * awaited at most half a lease, so a connection left half-open is given up while the rows'
     * lease still runs (the pool restores the timeout when it takes the connection back).
     */
    Connection connectHoldingRows() {
        Connection c = connect();
        Duration half = config.leaseTimeout().dividedBy(2);
        if (dialect.supportsNetworkTimeout() && half.compareTo(config.socketTimeout()) < 0) {
            try {
                c.setNetworkTimeout(Runnable::run, (int) Math.min(Integer.MAX_VALUE, half.toMillis()));
            } catch (SQLException e) {
                closeQuietly(c);
                throw failure("cannot set the network timeout of a connection", e);
            }
        }
        return c;
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // the failure that led here is the one to report
        }
    }

    /** Runs work on a connection of its own; a failure says {@code what} failed. */
    <T> T withConnection(String what, Jdbc.SqlWork<T> work) {
        try (Connection c = connect()) {
            return work.apply(c);
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /** A StoreException naming what failed, with the URL and password redacted. */
    StoreException failure(String what, SQLException e) {
        return new StoreException(
                what + " (" + Redact.url(config.url()) + "): " + clean(e.getMessage()), cleanCause(e));
    }

    private String clean(String message) {
        return Redact.text(message, config.url(), config.password());
    }

    /** The cause chain without messages that might carry a secret: a plain copy of the SQL state. */
    private Exception cleanCause(SQLException e) {
        SQLException copy = new SQLException(clean(e.getMessage()), e.getSQLState(), e.getErrorCode());
        copy.setStackTrace(e.getStackTrace());
        return copy;
    }
}
