package org.experimenter.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.store.dialect.Dialect;

/**
 * One small connection pool per database and JVM, shared by every store of that JVM: every
 * task of an executor, and in local mode the driver as well. A JVM then holds at most
 * {@code database.pool-size} connections to a database however many tasks it runs, and a run
 * opens at most (executor JVMs + driver) x pool-size, plus Spark's reads of the open rows.
 * Connections are opened when first needed and closed after a minute unused.
 */
final class ConnectionPools {
    private static final Map<String, HikariDataSource> POOLS = new ConcurrentHashMap<>();

    private ConnectionPools() {}

    /** A connection from the pool of this config's database; closing it returns it. */
    static Connection connect(ExperimentConfig config, Dialect dialect) throws SQLException {
        String key = String.join(
                "\u0000",
                config.url(),
                config.user(),
                config.password(),
                Integer.toString(config.poolSize()),
                config.connectTimeout().toString(),
                config.socketTimeout().toString());
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

    private static HikariDataSource create(ExperimentConfig config, Dialect dialect) throws SQLException {
        HikariConfig h = new HikariConfig();
        h.setPoolName("experimenter-" + dialect.name());
        h.setJdbcUrl(config.url());
        h.setDriverClassName(dialect.driverClass());
        Properties p = dialect.connectionProperties(config.connectTimeout(), config.socketTimeout());
        if (!config.user().isEmpty()) {
            p.setProperty("user", config.user());
        }
        if (!config.password().isEmpty()) {
            p.setProperty("password", config.password());
        }
        h.setDataSourceProperties(p);
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
