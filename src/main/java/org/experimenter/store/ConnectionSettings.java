package org.experimenter.store;

import java.util.Properties;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.store.dialect.Dialect;

/** What every connection of a config is opened with: the pool's and Spark's reads alike. */
public final class ConnectionSettings {
    private ConnectionSettings() {}

    /** The dialect's own properties with the config's timeouts, and the config's user and password when given. */
    public static Properties of(ExperimentConfig config, Dialect dialect) {
        Properties p = dialect.connectionProperties(config.connectTimeout(), config.socketTimeout());
        if (!config.user().isEmpty()) {
            p.setProperty("user", config.user());
        }
        if (!config.password().isEmpty()) {
            p.setProperty("password", config.password());
        }
        return p;
    }
}
