package org.experimenter.store;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Properties;
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
  private Clock clock = Clock.systemUTC();

  Database(ExperimentConfig config) {
    this.config = config;
    this.dialect = Dialect.forUrl(config.url());
    this.schema = new Schema(config, dialect);
    this.table = config.table();
  }

  void setClock(Clock clock) {
    this.clock = clock;
  }

  Instant now() {
    return clock.instant();
  }

  /** A new connection, auto-commit on; the caller closes it. Errors name the redacted URL. */
  Connection connect() {
    dialect.prepare(config.url());
    Properties p = dialect.connectionProperties();
    if (!config.user().isEmpty()) {
      p.setProperty("user", config.user());
    }
    if (!config.password().isEmpty()) {
      p.setProperty("password", config.password());
    }
    try {
      Connection c = DriverManager.getConnection(config.url(), p);
      dialect.configure(c);
      return c;
    } catch (SQLException e) {
      throw new StoreException(
          "cannot connect to " + Redact.url(config.url()) + ": " + clean(e.getMessage()), cleanCause(e));
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
    return new StoreException(what + " (" + Redact.url(config.url()) + "): " + clean(e.getMessage()), cleanCause(e));
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
