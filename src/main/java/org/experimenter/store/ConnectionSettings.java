package org.experimenter.store;

import java.util.List;
import java.util.Properties;
import org.experimenter.InvalidConfigException;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.store.dialect.Dialect;

/** What every connection of a config is opened with: the pool's and Spark's reads alike. */
public final class ConnectionSettings {
    private ConnectionSettings() {}

    /**
     * The dialect's own properties with the config's timeouts, and the config's user and password
     * when given. Refuses a URL that names one of the dialect's session settings again.
     */
    public static Properties of(ExperimentConfig config, Dialect dialect) {
        List<String> named = dialect.sessionSettingsIn(config.url());
        if (!named.isEmpty()) {
            throw new InvalidConfigException(config.origin() + ": database.url: " + String.join(", ", named)
                    + ": the tool sets " + (named.size() == 1 ? "it" : "them")
                    + " on every session (UTC, READ COMMITTED, sql_mode with NO_BACKSLASH_ESCAPES, one row count"
                    + " per statement of a batch), and the URL's would replace the tool's; leave "
                    + (named.size() == 1 ? "it" : "them") + " out of the URL");
        }
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
