package org.experimenter.store.dialect;

import java.io.File;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.jdbc.JdbcDialect;
import org.experimenter.FieldType;
import org.experimenter.config.DatabaseKind;

/**
 * SQLite: WAL journal (mandatory: a writer with an open read cursor otherwise gets
 * SQLITE_BUSY), IMMEDIATE transactions so that claims serialize instead of deadlocking, and
 * timestamps as UTC text {@code yyyy-MM-dd HH:mm:ss.SSS}, which sorts and reads like
 * PyExperimenter's.
 */
public final class SqliteDialect extends Dialect {
    private static final Map<String, Object> WRITE_LOCKS = new ConcurrentHashMap<>();
    private static final long serialVersionUID = 1L;

    @Override
    public DatabaseKind kind() {
        return DatabaseKind.SQLITE;
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
    public FieldType fieldTypeOf(String typeName) {
        return "REAL".equalsIgnoreCase(typeName) ? FieldType.DOUBLE : super.fieldTypeOf(typeName);
    }

    /** SQLite has no limit on names. */
    @Override
    public String timestampType() {
        return "TEXT";
    }

    @Override
    public void setTimestamp(PreparedStatement ps, int index, Instant value) throws SQLException {
        if (value == null) {
            ps.setNull(index, java.sql.Types.VARCHAR);
        } else {
            ps.setString(index, TimestampText.format(value));
        }
    }

    @Override
    public Instant getTimestamp(ResultSet rs, String column) throws SQLException {
        String s = rs.getString(column);
        return s == null ? null : TimestampText.parse(s);
    }

    /**
     * SQLite has no server: 'now' is the clock of the asking process's machine, which is the
     * machine of every writer (SQLite files are not shared between machines).
     */
    @Override
    public String currentTimeMillisQuery() {
        return "SELECT CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)";
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
    public Properties connectionProperties(Duration connectTimeout, Duration socketTimeout) {
        Properties p = new Properties();
        p.setProperty("journal_mode", "WAL");
        p.setProperty("synchronous", "NORMAL");
        p.setProperty("busy_timeout", "60000");
        p.setProperty("transaction_mode", "IMMEDIATE");
        p.setProperty("foreign_keys", "true");
        return p;
    }

    /** The file is opened read-only, and its journal mode is left as its owner set it. */
    @Override
    public Properties readOnlyConnectionProperties(Duration connectTimeout, Duration socketTimeout) {
        Properties p = connectionProperties(connectTimeout, socketTimeout);
        p.setProperty("open_mode", "1"); // SQLITE_OPEN_READONLY
        p.remove("journal_mode");
        return p;
    }

    /** The text after the URL prefix, as a path. */
    @Override
    public Path databaseFile(String url) {
        return Path.of(url.substring(urlPrefix().length()));
    }

    /** Two SQLite URLs name the same database when their files' absolute paths are the same. */
    @Override
    public boolean sameDatabase(String url, String other) {
        if (accepts(url) && accepts(other)) {
            return databaseFile(url)
                    .toAbsolutePath()
                    .normalize()
                    .equals(databaseFile(other).toAbsolutePath().normalize());
        }
        return super.sameDatabase(url, other);
    }

    @Override
    public String initSql() {
        return "PRAGMA busy_timeout = 60000";
    }

    @Override
    public void prepare(String url) {
        String path = url.substring(urlPrefix().length());
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

    /**
     * sqlite-jdbc gives no SQLSTATE; its error code is SQLite's result code. Permanent: SQL errors
     * (SQLITE_ERROR: syntax, no such column), too big, constraints, type mismatch, bad parameter.
     */
    @Override
    public boolean isPermanent(SQLException e) {
        switch (e.getErrorCode() & 0xff) {
            case 1: // SQLITE_ERROR
            case 18: // SQLITE_TOOBIG
            case 19: // SQLITE_CONSTRAINT
            case 20: // SQLITE_MISMATCH
            case 25: // SQLITE_RANGE
                return true;
            default:
                return super.isPermanent(e);
        }
    }

    @Override
    public JdbcDialect sparkDialect() {
        return new SqliteSparkDialect();
    }

    /**
     * SQLite's LIKE ignores the case of ASCII letters; GLOB is case-sensitive, so the pattern is
     * written as a GLOB: {@code %} as {@code *}, {@code _} as {@code ?}, and GLOB's own {@code * ? [}
     * in brackets.
     */
    @Override
    public String like(String value, String pattern) {
        StringBuilder glob = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length()) {
                c = pattern.charAt(++i);
                glob.append(c == '*' || c == '?' || c == '[' ? "[" + c + "]" : String.valueOf(c));
            } else if (c == '%') {
                glob.append('*');
            } else if (c == '_') {
                glob.append('?');
            } else if (c == '*' || c == '?' || c == '[') {
                glob.append('[').append(c).append(']');
            } else {
                glob.append(c);
            }
        }
        return "(" + value + " GLOB " + stringLiteral(glob.toString()) + ")";
    }

    @Override
    public String toDouble(String sql) {
        return "CAST(" + sql + " AS REAL)";
    }
}
