package org.experimenter.store.dialect;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.StringJoiner;
import org.apache.spark.sql.jdbc.JdbcDialect;
import org.experimenter.FieldType;
import org.experimenter.config.DatabaseKind;

/**
 * MariaDB 10.6+ through MariaDB Connector/J ({@code jdbc:mariadb:}); {@link MySqlDialect} is the
 * same for MySQL 8 through MySQL's own driver. What differs from the ANSI default:
 *
 * <ul>
 *   <li>Claims select first ({@code SELECT id ... ORDER BY id LIMIT n FOR UPDATE SKIP LOCKED})
 *       and then update the ids they locked, in one transaction: MySQL refuses {@code LIMIT} in
 *       an {@code IN} subquery, and an UPDATE whose subquery reads its own table.
 *   <li>String keyfields are {@code VARCHAR(n)} (a UNIQUE key cannot hold TEXT), with a binary
 *       collation that does not pad: keys compare as exactly as on PostgreSQL ({@code 'a'}
 *       and {@code 'A'}, {@code 'a'} and {@code 'a '} are different rows). Other text is
 *       LONGTEXT, since TEXT keeps at most 64 KB (a stack trace may be longer).
 *   <li>No partial indexes: {@code Schema} writes full ones instead, inside CREATE TABLE (MySQL
 *       8 has no CREATE INDEX IF NOT EXISTS), with a prefix on indexed text columns.
 *   <li>Fills with multi-row {@code INSERT IGNORE}; every value is checked before it is sent
 *       (type, NOT NULL, length, NaN), so the only error IGNORE can pass over is the duplicate key
 *       it is there for. ASHA's promotions add {@code RETURNING id, parent_id}, which names the
 *       rows inserted, not those ignored (MariaDB 10.5+; MySQL has none).
 *   <li>Timestamps are {@code DATETIME(3)} in UTC: the session time zone is +00:00 and the
 *       driver converts instants to and from it, on the store's connections and on Spark's.
 *   <li>Sessions in READ COMMITTED (claims lock rows, not gaps), with NO_BACKSLASH_ESCAPES (a
 *       {@code --where} string means what it says) and strict mode.
 * </ul>
 */
public class MariaDbDialect extends Dialect {
    private static final long serialVersionUID = 1L;

    /**
     * Characters of a string keyfield. InnoDB keeps at most 3072 bytes in one index and
     * utf8mb4 takes up to 4 bytes a character, so 255 fits three string keyfields; with more,
     * each gets an equal share of the 3072 bytes ({@link #keyTextLength}).
     */
    static final int KEY_TEXT_LENGTH = 255;

    private static final int INDEX_BYTES = 3072;

    /**
     * Of indexed text columns (claim tokens, run ids) only a prefix is indexed. Tokens are the
     * run id (Spark's application id and 8 characters), executor and a number, about 40 to 60
     * characters; 128 leaves room, so that the index tells tokens apart.
     */
    private static final int TEXT_PREFIX = 128;

    @Override
    public DatabaseKind kind() {
        return DatabaseKind.MARIADB;
    }

    @Override
    public String driverClass() {
        return "org.mariadb.jdbc.Driver";
    }

    @Override
    public String idColumn() {
        return "id BIGINT AUTO_INCREMENT PRIMARY KEY";
    }

    /** MySQL and MariaDB keep names of up to 64 characters and refuse longer ones. */
    @Override
    public String quoteIdentifier(String name) {
        return "`" + name.replace("`", "``") + "`";
    }

    @Override
    public String sqlType(FieldType type) {
        switch (type) {
            case DOUBLE:
                return "DOUBLE";
            case STRING:
                return textType();
            default:
                return super.sqlType(type);
        }
    }

    @Override
    public String textType() {
        return "LONGTEXT";
    }

    /** A string keyfield is VARCHAR({@link #keyTextLength}); the table's collation applies. */
    @Override
    public String keyfieldType(FieldType type, List<FieldType> keyfieldTypes) {
        return type == FieldType.STRING ? "VARCHAR(" + keyTextLength(keyfieldTypes) + ")" : sqlType(type);
    }

    @Override
    public int keyTextLength(List<FieldType> keyfieldTypes) {
        int strings = 0;
        int otherBytes = 0;
        for (FieldType t : keyfieldTypes) {
            switch (t) {
                case STRING:
                    strings++;
                    break;
                case INT:
                    otherBytes += 4;
                    break;
                case BOOLEAN:
                    otherBytes += 1;
                    break;
                default:
                    otherBytes += 8;
            }
        }
        if (strings == 0) {
            return Integer.MAX_VALUE;
        }
        return Math.max(1, Math.min(KEY_TEXT_LENGTH, (INDEX_BYTES - otherBytes) / (4 * strings)));
    }

    @Override
    public FieldType fieldTypeOf(String typeName) {
        String t = typeName == null ? "" : typeName.toUpperCase(Locale.ROOT);
        switch (t) {
            case "INT":
            case "INTEGER":
                return FieldType.INT;
            case "BIGINT":
                return FieldType.LONG;
            case "DOUBLE":
                return FieldType.DOUBLE;
            case "VARCHAR":
            case "LONGTEXT":
            case "TEXT":
            case "MEDIUMTEXT":
                return FieldType.STRING;
            case "BOOLEAN":
            case "TINYINT":
            case "BIT":
                return FieldType.BOOLEAN;
            default:
                return null;
        }
    }

    @Override
    public boolean storesInfinity() {
        return false;
    }

    @Override
    public String timestampType() {
        return "DATETIME(3)";
    }

    @Override
    public boolean supportsPartialIndexes() {
        return false;
    }

    @Override
    public String indexedText(String column) {
        return column + "(" + TEXT_PREFIX + ")";
    }

    @Override
    public String tableOptions() {
        return " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=" + collation();
    }

    /** A binary collation without padding: strings compare by their characters, all of them. */
    String collation() {
        return "utf8mb4_nopad_bin";
    }

    /** One statement inserts at most this many rows (MySQL takes at most 65,535 parameters). */
    @Override
    public int fillRowsPerStatement(int columns) {
        return Math.max(1, Math.min(1000, 60_000 / (columns + 1)));
    }

    @Override
    public String fillStatement(String table, List<String> columns, List<FieldType> types, String status, int rows) {
        StringJoiner marks = new StringJoiner(", ", "(", ", " + status + ", ?)");
        columns.forEach(c -> marks.add("?"));
        StringJoiner values = new StringJoiner(", ");
        for (int i = 0; i < rows; i++) {
            values.add(marks.toString());
        }
        return "INSERT IGNORE INTO " + table + " (" + String.join(", ", columns) + ", status, creation_date) VALUES "
                + values;
    }

    /** The multi-row fill statement for one row: INSERT IGNORE (MariaDB has no ON CONFLICT). */
    @Override
    public String insertUnlessPresentStatement(String table, List<String> columns, String status) {
        return fillStatement(table, columns, null, status, 1);
    }

    /** The multi-row fill statement: INSERT IGNORE, whose update count leaves out the rows it ignored. */
    @Override
    public String insertUnlessPresentStatement(String table, List<String> columns, String status, int rows) {
        return fillStatement(table, columns, null, status, rows);
    }

    /**
     * The rows a claim takes, locked: rows other claims are taking are skipped, not waited for.
     * The claim then updates exactly these ids.
     */
    @Override
    public String claimLockingSelect(String next) {
        return next + " FOR UPDATE SKIP LOCKED";
    }

    /** Epoch milliseconds of the server's clock (UNIX_TIMESTAMP does not depend on the session's zone). */
    @Override
    public String currentTimeMillisQuery() {
        return "SELECT CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS SIGNED)";
    }

    /**
     * Beyond the SQLSTATE classes: MySQL reports some data errors as HY000, e.g. 1366 (incorrect
     * value for a column) and 1292 (truncated value). Deadlocks (1213, SQLSTATE 40001) and lock
     * wait timeouts (1205) are worth retrying.
     */
    @Override
    public boolean isPermanent(SQLException e) {
        switch (e.getErrorCode()) {
            case 1213:
            case 1205:
                return false;
            case 1366:
            case 1292:
            case 1406:
            case 1264:
            case 1048:
            case 1062:
                return true;
            default:
                return super.isPermanent(e);
        }
    }

    @Override
    public boolean supportsNetworkTimeout() {
        return true;
    }

    @Override
    public Properties connectionProperties(Duration connectTimeout, Duration socketTimeout) {
        Properties p = new Properties();
        p.putAll(sessionProperties());
        p.setProperty("connectTimeout", Long.toString(Math.max(1, connectTimeout.toMillis())));
        p.setProperty("socketTimeout", Long.toString(Math.max(1, socketTimeout.toMillis())));
        return p;
    }

    /** Strict: a value that does not fit is an error, never truncated; backslashes are plain characters. */
    static final String SQL_MODE = "STRICT_ALL_TABLES,NO_BACKSLASH_ESCAPES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
            + "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION";

    /**
     * What every connection needs, the store's and Spark's: UTC, the session's SQL mode, read
     * committed, and batches sent statement by statement (pipelined), so each statement of a
     * batch reports its own row count; bulk batches would not.
     */
    Map<String, String> sessionProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("connectionTimeZone", "UTC");
        p.put("forceConnectionTimeZoneToSession", "true");
        p.put("preserveInstants", "true");
        p.put("transactionIsolation", "READ-COMMITTED");
        p.put("sessionVariables", "sql_mode='" + SQL_MODE + "'");
        p.put("useBulkStmts", "false");
        p.put("useBulkStmtsForInserts", "false");
        p.put("rewriteBatchedStatements", "false");
        p.put("permitMysqlScheme", "false");
        return p;
    }

    /**
     * The URL's properties ({@code ?sessionVariables=...&useBulkStmts=true}) that are settings of
     * {@link #sessionProperties}: the driver reads the URL's over them, so a session would lose UTC,
     * READ COMMITTED, NO_BACKSLASH_ESCAPES (the store's string literals would read differently) or
     * one row count per statement of a batch.
     */
    @Override
    public List<String> sessionSettingsIn(String url) {
        int q = url.indexOf('?');
        if (q < 0) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String pair : url.substring(q + 1).split("&")) {
            String key = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
            for (String own : sessionProperties().keySet()) {
                if (own.equalsIgnoreCase(key.strip()) && !out.contains(own)) {
                    out.add(own);
                }
            }
        }
        return out;
    }

    @Override
    public Map<String, String> sparkReadOptions() {
        return sessionProperties();
    }

    /** Spark knows MySQL's URL, not MariaDB's: without this it would quote names with double quotes. */
    @Override
    public JdbcDialect sparkDialect() {
        return new MariaDbSparkDialect(urlPrefix());
    }

    /** Adding a double zero: CAST(... AS DOUBLE) is not in every MySQL and MariaDB version. */
    @Override
    public String toDouble(String sql) {
        return "(" + sql + " + 0E0)";
    }

    /**
     * In the table's binary collation: a literal alone would take the connection's collation, which
     * ignores case ({@code 'a' = 'A'} would hold).
     */
    @Override
    public String stringLiteral(String s) {
        return "(_utf8mb4" + super.stringLiteral(s) + " COLLATE " + collation() + ")";
    }

    @Override
    public String like(String value, String pattern) {
        return "(" + value + " LIKE " + stringLiteral(pattern) + " ESCAPE '\\')";
    }
}
