package org.experimenter.pyexperimenter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.experimenter.ExperimenterException;
import org.experimenter.config.DatabaseKind;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.store.dialect.Dialect;
import org.experimenter.store.dialect.Redact;
import org.mariadb.jdbc.Configuration;
import org.mariadb.jdbc.HostAddress;

/**
 * The database PyExperimenter's table is in, as {@code --from} names it: its JDBC URL, how
 * messages name it (redacted), a read-only connection, and which credentials go to it. The
 * config's user and password go only to the config's own database server.
 */
final class SourceDatabase {
    private final ExperimentConfig config;
    private final TableAdoption.Options o;
    private final String url;

    SourceDatabase(ExperimentConfig config, TableAdoption.Options o) {
        this.config = config;
        this.o = o;
        // as for database.url: the drivers read no credentials there, and the password would be
        // in their messages
        if (DatabaseKind.hasUserInfo(o.from())) {
            throw new ExperimenterException("--from " + Redact.url(o.from()) + ": give the user with --from-user and"
                    + " the password in PYEXPERIMENTER_DB_PASSWORD, not in the URL (user@host)");
        }
        this.url = url(o.from());
    }

    /** {@code --from} as a JDBC URL: a URL as it is, {@code mysql://} as MariaDB's, else a SQLite file. */
    private static String url(String from) {
        if (from.startsWith("jdbc:")) {
            return from;
        }
        if (from.startsWith("mysql://") || from.startsWith("mariadb://")) {
            return DatabaseKind.MARIADB.urlPrefix() + "//" + from.substring(from.indexOf("://") + 3);
        }
        return DatabaseKind.SQLITE.urlPrefix() + from;
    }

    String url() {
        return url;
    }

    /** The source as messages name it: its URL redacted, or the SQLite file. */
    String describe() {
        String from = o.from();
        return from.startsWith("jdbc:") || from.contains("://") ? Redact.url(from) : "the SQLite file " + from;
    }

    /** Whether {@code table} here is the config's own table (same database, same name). */
    boolean holdsConfigTable(String table, Dialect configDialect) {
        return table.equals(config.table()) && configDialect.sameDatabase(url, config.url());
    }

    Connection connect() {
        Dialect dialect = dialect();
        Path file = dialect.databaseFile(url);
        if (file != null && !Files.isRegularFile(file)) {
            throw new ExperimenterException("--from " + o.from() + ": no such SQLite file");
        }
        // adopting never writes PyExperimenter's database
        Properties p = dialect.readOnlyConnectionProperties(config.connectTimeout(), config.socketTimeout());
        String user = o.user() != null ? o.user() : configCredentials() ? config.user() : null;
        String password = o.user() != null ? o.password() : configCredentials() ? config.password() : null;
        if (user != null && !user.isEmpty()) {
            p.setProperty("user", user);
        }
        if (password != null && !password.isEmpty()) {
            p.setProperty("password", password);
        }
        try {
            return DriverManager.getConnection(url, p);
        } catch (SQLException e) {
            throw failure("cannot connect to " + describe(), e);
        }
    }

    private Dialect dialect() {
        try {
            return Dialect.forUrl(url);
        } catch (IllegalArgumentException e) {
            throw new ExperimenterException("--from " + describe() + ": " + e.getMessage());
        }
    }

    /**
     * Whether the config's user and password go to the source: only when it is on the config's
     * own database server (same host and port), never to another host the user named.
     */
    private boolean configCredentials() {
        Server here = server(config.url());
        return here != null && here.equals(server(url));
    }

    /** The host and port of a database server. */
    record Server(String host, int port) {}

    /**
     * The server of a {@code jdbc:mariadb://} or {@code jdbc:mysql://} URL, as MariaDB's driver
     * reads it (port 3306 when none, the host in lower case); null for other URLs, for one the
     * driver cannot read, for one that names no host and for one that names several (a driver that
     * fails over, as MySQL's does, would take the config's credentials to the second).
     */
    static Server server(String url) {
        if (!url.startsWith("jdbc:mariadb://") && !url.startsWith("jdbc:mysql://")) {
            return null;
        }
        try {
            List<HostAddress> hosts = Configuration.parse("jdbc:mariadb:" + url.substring(url.indexOf("//")))
                    .addresses();
            return hosts.size() != 1 ? null : new Server(hosts.get(0).host.toLowerCase(Locale.ROOT), hosts.get(0).port);
        } catch (SQLException e) {
            return null;
        }
    }

    /** A failure to read the source, its message redacted, saying when credentials were withheld. */
    ExperimenterException failure(String what, SQLException e) {
        String password = o.user() != null ? o.password() : config.password();
        return new ExperimenterException(what + ": " + Redact.text(e.getMessage(), url, password)
                + (o.user() == null && !configCredentials() && dialect().databaseFile(url) == null
                        ? " (the config's user and password go only to its own database server; give --from-user)"
                        : ""));
    }

    static boolean tableExists(Connection c, String table) throws SQLException {
        try (ResultSet rs = c.getMetaData().getTables(null, null, table, null)) {
            return rs.next();
        }
    }
}
