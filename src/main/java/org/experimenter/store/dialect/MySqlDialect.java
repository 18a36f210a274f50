package org.experimenter.store.dialect;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.jdbc.JdbcDialect;
import org.experimenter.config.DatabaseKind;

/**
 * MySQL 8 through MySQL's own driver ({@code jdbc:mysql:}, Connector/J, GPL with the FOSS
 * exception: not in the jar, given with {@code --jars}). Everything as for MariaDB but the
 * collation (MySQL has no utf8mb4_nopad_bin) and the driver's property names. Not tested here:
 * this machine has MariaDB, not MySQL.
 */
public final class MySqlDialect extends MariaDbDialect {
    private static final long serialVersionUID = 1L;

    @Override
    public DatabaseKind kind() {
        return DatabaseKind.MYSQL;
    }

    /** None: MySQL has no INSERT ... RETURNING; promotions go row by row (MariaDB's returns the rows it inserted). */
    @Override
    public String insertUnlessPresentReturningStatement(String table, List<String> columns, String status, int rows) {
        return null;
    }

    @Override
    public String driverClass() {
        return "com.mysql.cj.jdbc.Driver";
    }

    @Override
    String collation() {
        return "utf8mb4_0900_bin";
    }

    /** MySQL Connector/J's names; useCursorFetch makes a fetch size stream instead of buffering. */
    @Override
    Map<String, String> sessionProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("connectionTimeZone", "UTC");
        p.put("forceConnectionTimeZoneToSession", "true");
        p.put("preserveInstants", "true");
        p.put("sessionVariables", "transaction_isolation='READ-COMMITTED',sql_mode='" + SQL_MODE + "'");
        p.put("useCursorFetch", "true");
        p.put("rewriteBatchedStatements", "false");
        return p;
    }

    /** Spark has a dialect of its own for jdbc:mysql: URLs. */
    @Override
    public JdbcDialect sparkDialect() {
        return null;
    }
}
