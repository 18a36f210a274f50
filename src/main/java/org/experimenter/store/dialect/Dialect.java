package org.experimenter.store.dialect;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Properties;
import org.experimenter.FieldType;

/**
 * What differs between databases. The defaults are ANSI SQL; each database overrides only
 * what it does differently. Chosen from the JDBC URL by {@link #forUrl(String)}.
 */
public abstract class Dialect implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /** The dialect for a JDBC URL; throws naming the URL (redacted) when none fits. */
  public static Dialect forUrl(String url) {
    if (url.startsWith("jdbc:postgresql:")) {
      return new PostgresDialect();
    }
    if (url.startsWith("jdbc:sqlite:")) {
      return new SqliteDialect();
    }
    throw new IllegalArgumentException(
        "no database dialect for " + Redact.url(url) + "; supported: jdbc:postgresql:, jdbc:sqlite:");
  }

  public abstract String name();

  /** The JDBC driver class, which Spark's JDBC source needs to be told explicitly. */
  public abstract String driverClass();

  /** The primary key column definition, generating ids on insert. */
  public abstract String idColumn();

  public String sqlType(FieldType type) {
    switch (type) {
      case INT:
        return "INTEGER";
      case LONG:
        return "BIGINT";
      case DOUBLE:
        return "DOUBLE PRECISION";
      case STRING:
        return "TEXT";
      case BOOLEAN:
        return "BOOLEAN";
      default:
        throw new IllegalStateException("unknown type " + type + "; this is a bug");
    }
  }

  public String timestampType() {
    return "TIMESTAMP WITH TIME ZONE";
  }

  public void setTimestamp(PreparedStatement ps, int index, Instant value) throws SQLException {
    if (value == null) {
      ps.setNull(index, java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
    } else {
      ps.setTimestamp(index, Timestamp.from(value));
    }
  }

  public Instant getTimestamp(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }

  /** An INSERT that silently skips rows whose keyfields already exist. */
  public String insertIgnoringDuplicates(String table, String columns, String placeholders) {
    return "INSERT INTO " + table + " (" + columns + ") VALUES (" + placeholders + ") ON CONFLICT DO NOTHING";
  }

  /**
   * The array element type for inserting many rows as one statement over unnest(arrays),
   * or null when the database has no arrays and takes JDBC batches instead.
   */
  public String arrayElementType(FieldType type) {
    return null;
  }

  /**
   * A lock the writers of this JVM take around their transactions on the database at url, or
   * null when the database locks rows and writers need not queue.
   */
  public Object writeLock(String url) {
    return null;
  }

  /** Whether one statement can claim a batch of rows, skipping rows other workers lock. */
  public boolean supportsSkipLocked() {
    return false;
  }

  /** Connection properties beyond user and password. */
  public Properties connectionProperties() {
    return new Properties();
  }

  /** Called once on every new connection. */
  public void configure(Connection connection) throws SQLException {}

  /** Prepares the place the database lives in, e.g. a folder for a database file. */
  public void prepare(String url) {}

  /** Whether an error is worth retrying (connection lost, lock contention). */
  public boolean isTransient(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.startsWith("08") || state.equals("40001") || state.equals("40P01") || state.equals("57P01"));
  }
}
