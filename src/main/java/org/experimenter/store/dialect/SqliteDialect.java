package org.experimenter.store.dialect;

import java.io.File;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.experimenter.FieldType;

/**
 * SQLite: WAL journal (mandatory: a writer with an open read cursor otherwise gets
 * SQLITE_BUSY), IMMEDIATE transactions so that claims serialize instead of deadlocking, and
 * timestamps as UTC text {@code yyyy-MM-dd HH:mm:ss.SSS}, which sorts and reads like
 * PyExperimenter's.
 */
public final class SqliteDialect extends Dialect {
  private static final Map<String, Object> WRITE_LOCKS = new ConcurrentHashMap<>();
  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

  @Override
  public String name() {
    return "sqlite";
  }

  @Override
  public String driverClass() {
    return "org.sqlite.JDBC";
  }

  @Override
  public String idColumn() {
    return "id INTEGER PRIMARY KEY";
  }

  @Override
  public String sqlType(FieldType type) {
    return type == FieldType.DOUBLE ? "REAL" : super.sqlType(type);
  }

  @Override
  public String timestampType() {
    return "TEXT";
  }

  @Override
  public void setTimestamp(PreparedStatement ps, int index, Instant value) throws SQLException {
    if (value == null) {
      ps.setNull(index, java.sql.Types.VARCHAR);
    } else {
      ps.setString(index, format(value));
    }
  }

  @Override
  public Instant getTimestamp(ResultSet rs, String column) throws SQLException {
    String s = rs.getString(column);
    return s == null ? null : LocalDateTime.parse(s, FORMAT).toInstant(ZoneOffset.UTC);
  }

  /**
   * The same text as {@code FORMAT}, written by hand: every finished experiment stores four
   * timestamps, and with DateTimeFormatter they took half of a worker thread's profile samples
   * when experiments were fast.
   */
  public static String format(Instant value) {
    long millis = value.toEpochMilli();
    LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(millis, 86_400_000L));
    if (date.getYear() < 1 || date.getYear() > 9999) { // "yyyy" is the year of era
      return FORMAT.format(LocalDateTime.ofInstant(value, ZoneOffset.UTC));
    }
    int ms = (int) Math.floorMod(millis, 86_400_000L);
    char[] c = new char[23];
    digits(c, 0, date.getYear(), 4);
    c[4] = '-';
    digits(c, 5, date.getMonthValue(), 2);
    c[7] = '-';
    digits(c, 8, date.getDayOfMonth(), 2);
    c[10] = ' ';
    digits(c, 11, ms / 3_600_000, 2);
    c[13] = ':';
    digits(c, 14, ms / 60_000 % 60, 2);
    c[16] = ':';
    digits(c, 17, ms / 1000 % 60, 2);
    c[19] = '.';
    digits(c, 20, ms % 1000, 3);
    return new String(c);
  }

  private static void digits(char[] c, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      c[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }

  /**
   * SQLite takes one writer per database file. Writers that find it taken poll in SQLite's busy
   * handler, sleeping up to 100 ms between tries; the writers of one JVM queue on this lock
   * instead and go on the moment it is free. Writers of other processes still poll.
   */
  @Override
  public Object writeLock(String url) {
    return WRITE_LOCKS.computeIfAbsent(url, k -> new Object());
  }

  @Override
  public Properties connectionProperties() {
    Properties p = new Properties();
    p.setProperty("journal_mode", "WAL");
    p.setProperty("synchronous", "NORMAL");
    p.setProperty("busy_timeout", "60000");
    p.setProperty("transaction_mode", "IMMEDIATE");
    p.setProperty("foreign_keys", "true");
    return p;
  }

  @Override
  public void configure(Connection connection) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute("PRAGMA busy_timeout = 60000");
    }
  }

  @Override
  public void prepare(String url) {
    String path = url.substring("jdbc:sqlite:".length());
    int q = path.indexOf('?');
    if (q >= 0) {
      path = path.substring(0, q);
    }
    if (path.startsWith("file:")) {
      path = path.substring("file:".length());
    }
    if (path.isEmpty() || path.equals(":memory:")) {
      return;
    }
    File parent = new File(path).getAbsoluteFile().getParentFile();
    if (parent != null && !parent.isDirectory() && !parent.mkdirs()) {
      throw new IllegalStateException("cannot create the folder " + parent + " for " + path);
    }
  }

  @Override
  public boolean isTransient(SQLException e) {
    String m = String.valueOf(e.getMessage());
    return m.contains("SQLITE_BUSY") || m.contains("SQLITE_LOCKED") || super.isTransient(e);
  }
}
