package org.experimenter.store.dialect;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.StringJoiner;
import org.apache.spark.sql.jdbc.JdbcDialect;
import org.experimenter.FieldType;
import org.experimenter.config.DatabaseKind;

/**
 * Everything that differs between databases, and nothing else. The defaults are ANSI SQL; each
 * database overrides only what it does differently, returning whole statements where the
 * statement differs (as Spark's {@code JdbcDialect} does). The store asks capability methods
 * ({@link #fillsFromArrays()}) and never tests which database it has.
 *
 * <p>Adding a database: one subclass here, listed in {@link #KNOWN}, plus its test subclasses.
 */
public abstract class Dialect implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** Every database the store supports, asked in order by {@link #forUrl(String)}. */
    private static final List<Dialect> KNOWN =
            List.of(new PostgresDialect(), new SqliteDialect(), new MariaDbDialect(), new MySqlDialect());

    /** The dialect for a JDBC URL; throws naming the URL (redacted) when none fits. */
    public static Dialect forUrl(String url) {
        DatabaseKind kind = DatabaseKind.forUrl(url);
        for (Dialect d : KNOWN) {
            if (d.kind() == kind) {
                return d;
            }
        }
        throw new IllegalArgumentException("no database dialect for " + Redact.url(url) + "; supported: "
                + String.join(", ", DatabaseKind.urlPrefixes()));
    }

    /**
     * The settings of the tool's sessions that a URL names again in its properties, where the
     * driver would take the URL's instead: none but for MariaDB and MySQL.
     */
    public List<String> sessionSettingsIn(String url) {
        return List.of();
    }

    /** The database this dialect writes for, with its rules for names. */
    public abstract DatabaseKind kind();

    public final String name() {
        return kind().displayName();
    }

    /** The start of every JDBC URL of this database. */
    public final String urlPrefix() {
        return kind().urlPrefix();
    }

    public boolean accepts(String url) {
        return DatabaseKind.forUrl(url) == kind();
    }

    /** The JDBC driver class, which Spark's JDBC source needs to be told explicitly. */
    public abstract String driverClass();

    /** The primary key column definition, generating ids on insert. */
    public abstract String idColumn();

    /** The longest name the database keeps as it is ({@link DatabaseKind#maxIdentifierLength()}). */
    public final int maxIdentifierLength() {
        return kind().maxIdentifierLength();
    }

    /** A table or column name quoted for this database's SQL. */
    public String quoteIdentifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

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

    /** The type of text columns that are no keyfield (errors, machine names, claim tokens). */
    public String textType() {
        return "TEXT";
    }

    /**
     * The column type of a keyfield of the given type, in a table whose keyfields have the given
     * types (together they form the UNIQUE key, which some databases limit in size).
     */
    public String keyfieldType(FieldType type, List<FieldType> keyfieldTypes) {
        return sqlType(type);
    }

    /**
     * The most characters a string keyfield holds in a table with these keyfield types, or
     * {@link Integer#MAX_VALUE} when the database sets no limit; longer values are refused
     * before they are sent.
     */
    public int keyTextLength(List<FieldType> keyfieldTypes) {
        return Integer.MAX_VALUE;
    }

    /**
     * Whether indexes may have a WHERE clause. Without, {@code Schema} writes full indexes
     * inside CREATE TABLE instead, text columns indexed by {@link #indexedText}.
     */
    public boolean supportsPartialIndexes() {
        return true;
    }

    /** A text column as an index names it (some databases index only a prefix of text). */
    public String indexedText(String column) {
        return column;
    }

    /**
     * What follows the closing parenthesis of CREATE TABLE of a table with a halving section
     * (databases with partial indexes), or nothing: a cut marks every row of its rung.
     */
    public String halvingTableOptions() {
        return "";
    }

    /** What follows the closing parenthesis of CREATE TABLE (engine, character set), or nothing. */
    public String tableOptions() {
        return "";
    }

    /**
     * The declared type a column of the given database type name holds (as
     * {@code DatabaseMetaData.getColumns} reports it), or null when it is none of them: how an
     * existing table is checked against a config.
     */
    public FieldType fieldTypeOf(String typeName) {
        String t = typeName == null ? "" : typeName.toUpperCase(Locale.ROOT);
        switch (t) {
            case "INTEGER":
            case "INT":
            case "INT4":
                return FieldType.INT;
            case "BIGINT":
            case "INT8":
                return FieldType.LONG;
            case "DOUBLE PRECISION":
            case "DOUBLE":
            case "FLOAT8":
                return FieldType.DOUBLE;
            case "TEXT":
                return FieldType.STRING;
            case "BOOLEAN":
            case "BOOL":
                return FieldType.BOOLEAN;
            default:
                return null;
        }
    }

    /** Whether DOUBLE columns hold positive and negative infinity (MySQL's do not). */
    public boolean storesInfinity() {
        return true;
    }

    public String timestampType() {
        return "TIMESTAMP WITH TIME ZONE";
    }

    /**
     * A string as a literal of this database's SQL, whatever characters it holds (the rule of
     * {@code --where} refuses U+0000). The ANSI form doubles single quotes; a dialect whose
     * sessions could read backslashes as escapes overrides it.
     */
    public String stringLiteral(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    /**
     * A text expression as an ordering comparison ({@code < <= > >=}, BETWEEN) reads it: text is
     * ordered by code point everywhere (Spark, SQLite, MariaDB's binary collation); a database
     * whose default collation orders by language says so here.
     */
    public String orderedText(String sql) {
        return sql;
    }

    /**
     * A number as a double, as Spark computes with it: division, and comparisons of whole numbers
     * with others, are in doubles everywhere (decimal arithmetic rounds differently per database).
     */
    public String toDouble(String sql) {
        return "CAST(" + sql + " AS DOUBLE PRECISION)";
    }

    /**
     * {@code value LIKE pattern}: {@code %} any run of characters, {@code _} one character, a
     * backslash before {@code % _ \} that character itself; case-sensitive, as in Spark.
     */
    public String like(String value, String pattern) {
        return "(" + value + " LIKE " + stringLiteral(pattern) + " ESCAPE " + stringLiteral("\\") + ")";
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

    /**
     * The statement that inserts new grid rows, skipping keyfield combinations the table has (its
     * UNIQUE constraint decides, so concurrent fills never duplicate). Its parameters: one per
     * column, then the creation time; sent in JDBC batches, one row each. A dialect whose
     * {@link #fillsFromArrays()} takes one array per column instead.
     *
     * @param columns the keyfield columns in order
     * @param status the status literal of new rows, e.g. {@code 'created'}
     */
    public String fillStatement(String table, List<String> columns, List<FieldType> types, String status) {
        return insertUnlessPresentStatement(table, columns, status);
    }

    /**
     * The statement that inserts one row unless the table has its keyfields (the UNIQUE
     * constraint decides, so two drivers inserting it at once add one row): its parameters one
     * per column, then the creation time. Halving's promotions, and the row-wise fill.
     */
    public String insertUnlessPresentStatement(String table, List<String> columns, String status) {
        StringJoiner marks = new StringJoiner(", ");
        columns.forEach(c -> marks.add("?"));
        return "INSERT INTO " + table + " (" + String.join(", ", columns) + ", status, creation_date) VALUES (" + marks
                + ", " + status + ", ?) ON CONFLICT DO NOTHING";
    }

    /**
     * {@link #insertUnlessPresentStatement} for {@code rows} rows at once (a multi-row VALUES
     * list): per row one parameter per column, then the creation time. Its update count is the
     * number of rows it inserted. Halving's cuts.
     */
    public String insertUnlessPresentStatement(String table, List<String> columns, String status, int rows) {
        StringJoiner marks = new StringJoiner(", ", "(", ", " + status + ", ?)");
        columns.forEach(c -> marks.add("?"));
        StringJoiner values = new StringJoiner(", ");
        for (int i = 0; i < rows; i++) {
            values.add(marks.toString());
        }
        return "INSERT INTO " + table + " (" + String.join(", ", columns) + ", status, creation_date) VALUES " + values
                + " ON CONFLICT DO NOTHING";
    }

    /**
     * {@link #insertUnlessPresentStatement(String, List, String, int)} returning {@code id, parent_id}
     * of the rows it inserted (none for the rows it skipped), so that an ASHA promotion of many rows
     * is one statement, not an insert and an id lookup per row; null where the database cannot
     * tell which rows an insert-unless-present inserted (Halving then inserts row by row).
     */
    public String insertUnlessPresentReturningStatement(String table, List<String> columns, String status, int rows) {
        return insertUnlessPresentStatement(table, columns, status, rows) + " RETURNING id, parent_id";
    }

    /**
     * How many rows one fill statement inserts (a multi-row VALUES list), for a table of that
     * many keyfields; 1 (the default) sends one row per statement in JDBC batches.
     */
    public int fillRowsPerStatement(int keyfields) {
        return 1;
    }

    /**
     * The fill statement for {@code rows} rows at once: per row one parameter per column, then
     * the creation time. Dialects whose {@link #fillRowsPerStatement} is above 1 write it.
     */
    public String fillStatement(String table, List<String> columns, List<FieldType> types, String status, int rows) {
        if (rows == 1) {
            return fillStatement(table, columns, types, status);
        }
        throw new UnsupportedOperationException(name() + " fills one row per statement; this is a bug");
    }

    /**
     * Whether {@link #fillStatement} takes the creation time first and then one array per column
     * (element types from {@link #arrayElementType}), inserting a whole chunk in one statement.
     */
    public boolean fillsFromArrays() {
        return false;
    }

    /** The array element type of a column for {@link #fillsFromArrays()} dialects. */
    public String arrayElementType(FieldType type) {
        throw new UnsupportedOperationException(name() + " fills with batches, not arrays; this is a bug");
    }

    /**
     * The statement that claims the next open rows: sets {@code set} on the rows {@code next}
     * selects (a query of ids ending in {@code LIMIT ?}), only where they are still open. The
     * default relies on the database taking one writer at a time (the claim runs in a
     * transaction that holds the write lock).
     *
     * @param open the condition that a row is still open, e.g. {@code status = 'created'}
     */
    public String claimNextStatement(String table, String set, String next, String open) {
        return "UPDATE " + table + " SET " + set + " WHERE id IN (" + next + ") AND " + open;
    }

    /**
     * For databases that refuse {@link #claimNextStatement} (MySQL: no LIMIT in an IN subquery,
     * no subquery on the table being updated), the select that locks the rows a claim takes,
     * skipping rows other claims hold; the claim then updates those ids in the same transaction.
     * Null (the default): the claim is the one statement {@link #claimNextStatement}.
     *
     * @param next a query of ids ending in {@code LIMIT ?}
     */
    public String claimLockingSelect(String next) {
        return null;
    }

    /**
     * Whether repeating the statement cannot cure the error: data exceptions (SQLSTATE class 22,
     * e.g. a text PostgreSQL cannot store), integrity constraints (23) and SQL errors (42).
     * Connection losses, lock contention and server shutdowns are worth retrying.
     */
    public boolean isPermanent(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23") || state.startsWith("42"));
    }

    /**
     * Whether a transaction failed only because the database could not serialize it or chose it
     * as a deadlock's victim (SQLSTATE 40001, PostgreSQL's 40P01): running it again, which sees
     * what the other transaction committed, is the cure.
     */
    public boolean isSerializationFailure(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.equals("40001") || state.equals("40P01"));
    }

    /**
     * A query of one row and column: the database's clock in milliseconds since the epoch. Leases
     * are judged by it, not by the clocks of the machines that write and check them.
     */
    public abstract String currentTimeMillisQuery();

    /**
     * A lock the writers of this JVM take around their transactions on the database at url, or
     * null when the database locks rows and writers need not queue.
     */
    public Object writeLock(String url) {
        return null;
    }

    /**
     * Connection properties beyond user and password.
     *
     * @param connectTimeout how long opening the connection may take
     * @param socketTimeout how long the answer to a statement is awaited before the connection is
     *     given up (a half-open connection after a failover)
     */
    public Properties connectionProperties(Duration connectTimeout, Duration socketTimeout) {
        return new Properties();
    }

    /**
     * Connection properties for reading another program's database without changing it (adopting
     * PyExperimenter's table). The default adds nothing to {@link #connectionProperties}: the
     * reader only sends SELECTs.
     */
    public Properties readOnlyConnectionProperties(Duration connectTimeout, Duration socketTimeout) {
        return connectionProperties(connectTimeout, socketTimeout);
    }

    /** The file a URL of this database names, or null for a database on a server. */
    public Path databaseFile(String url) {
        return null;
    }

    /** Whether two URLs name the same database; the default compares them as text. */
    public boolean sameDatabase(String url, String other) {
        return url.equals(other);
    }

    /** A statement run once on every new connection, or null. */
    public String initSql() {
        return null;
    }

    /** Whether connections take {@code Connection.setNetworkTimeout} (a server over the network). */
    public boolean supportsNetworkTimeout() {
        return false;
    }

    /**
     * A statement that makes the id column's generator continue after the largest id, run after
     * rows were inserted with ids of their own; null when the database does that by itself
     * (SQLite, MySQL).
     */
    public String identityResetStatement(String table) {
        return null;
    }

    /** Prepares the place the database lives in, e.g. a folder for a database file. */
    public void prepare(String url) {}

    /**
     * Options for Spark's JDBC reads beyond URL, driver and credentials: the settings every
     * session of this database needs (time zone, SQL mode), which Spark hands to the driver.
     */
    public Map<String, String> sparkReadOptions() {
        return Map.of();
    }

    /**
     * The dialect Spark's JDBC source needs for this database, or null when Spark has its own
     * (Spark knows PostgreSQL and MySQL, not SQLite).
     */
    public JdbcDialect sparkDialect() {
        return null;
    }
}
