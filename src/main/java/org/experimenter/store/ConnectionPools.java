package org.experimenter.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.store.dialect.Dialect;
import org.experimenter.store.dialect.Redact;

/**
 * One small connection pool per database and JVM, shared by every store of that JVM: every
 * task of an executor, and in local mode the driver as well. A JVM then holds at most
 * {@code database.pool-size} connections to a database however many tasks it runs, and a run
 * opens at most (executor JVMs + driver) x pool-size, plus Spark's reads of the open rows.
 * Connections are opened when first needed and closed after a minute unused.
 */
final class ConnectionPools {
    private static final Map<PoolKey, HikariDataSource> POOLS = new ConcurrentHashMap<>();

    /** Configs that give the same key share a pool. */
    private record PoolKey(
            String url, String user, String password, int size, Duration connectTimeout, Duration socketTimeout) {
        @Override
        public String toString() {
            return "PoolKey[" + Redact.url(url) + "]"; // never the password
        }
    }

    private ConnectionPools() {}

    /** A connection from the pool of this config's database; closing it returns it. */
    static Connection connect(ExperimentConfig config, Dialect dialect) throws SQLException {
        PoolKey key = new PoolKey(
                config.url(),
                config.user(),
                config.password(),
                config.poolSize(),
                config.connectTimeout(),
                config.socketTimeout());
        HikariDataSource pool = POOLS.get(key);
        if (pool == null) {
            synchronized (POOLS) {
                pool = POOLS.get(key);
                if (pool == null) {
                    // not kept when it fails: the next call tries again (the database may be starting)
                    pool = create(config, dialect);
                    POOLS.put(key, pool);
                }
            }
        }
        return pool.getConnection();
    }

    /**
     * Closes every pool of this JVM: between two commands of the daemon, so that no connection
     * outlives its command (a SQLite file deleted meanwhile must not be written through one).
     */
    static void closeAll() {
        synchronized (POOLS) {
            for (HikariDataSource pool : POOLS.values()) {
                pool.close();
            }
            POOLS.clear();
        }
    }

    private static HikariDataSource create(ExperimentConfig config, Dialect dialect) throws SQLException {
        // once per pool, not per borrowed connection: the SQLite file's folder, made when missing
        dialect.prepare(config.url());
        HikariConfig h = new HikariConfig();
        h.setPoolName("experimenter-" + dialect.name());
        h.setJdbcUrl(config.url());
        h.setDriverClassName(dialect.driverClass());
        h.setDataSourceProperties(ConnectionSettings.of(config, dialect));
        if (dialect.initSql() != null) {
            h.setConnectionInitSql(dialect.initSql());
        }
        h.setMaximumPoolSize(config.poolSize());
        h.setMinimumIdle(0);
        h.setIdleTimeout(TimeUnit.MINUTES.toMillis(1));
        // a task waits its turn for a connection; past this its call fails and is retried
        h.setConnectionTimeout(TimeUnit.MINUTES.toMillis(1));
        // a database that is down at start fails the first call at once, as without a pool
        h.setInitializationFailTimeout(1);
        h.setRegisterMbeans(false);
        try {
            return new HikariDataSource(h);
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() instanceof SQLException ? e.getCause() : e;
            if (cause instanceof SQLException s) {
                throw s;
            }
            throw new SQLException(String.valueOf(e.getMessage()), "08001", e);
        }
    }
}
