package org.experimenter.store;

import java.io.Serializable;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.experimenter.FieldType;
import org.experimenter.Status;
import org.experimenter.StoreException;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.grid.Parameter;

/**
 * Reads rows as maps of column name to a value of its Java type (keyfields and results as
 * declared, timestamps as Instant): for the CLI, attach, tests and tools. Large reads go
 * through Spark instead.
 */
final class RowReads implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Database db;
    private final ExperimentConfig config;

    RowReads(Database db) {
        this.db = db;
        this.config = db.config;
    }

    /** Row counts per status (every status present, zero where none). */
    Map<Status, Long> counts() {
        return db.withConnection("cannot count rows of " + db.table, this::counts);
    }

    /** The same on the caller's connection. */
    Map<Status, Long> counts(java.sql.Connection c) throws SQLException {
        Map<Status, Long> out = new EnumMap<>(Status.class);
        for (Status s : Status.values()) {
            out.put(s, 0L);
        }
        for (StatusCount r : countsWhere(c, null, List.of())) {
            out.put(Status.parse(r.status()), r.rows());
        }
        return out;
    }

    /**
     * Per status present, the rows matching a condition (null for all) and, per field given, how
     * many of them have no value of it: one statement, so that eval need not start a Spark job for it.
     */
    List<StatusCount> countsWhere(Where where, List<String> fields) {
        return db.withConnection("cannot count rows of " + db.table, c -> countsWhere(c, where, fields));
    }

    private List<StatusCount> countsWhere(java.sql.Connection c, Where where, List<String> fields) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT status, COUNT(*)");
        for (String f : fields) {
            if (!config.resultfields().containsKey(f)) {
                throw new StoreException("no result field '" + f + "' declared in " + config.origin());
            }
            sql.append(", COUNT(*) - COUNT(").append(f).append(')');
        }
        sql.append(" FROM ").append(db.table);
        if (where != null) {
            sql.append(" WHERE ").append(WhereSql.of(where, db.dialect));
        }
        sql.append(" GROUP BY status");
        return Jdbc.query(c, sql.toString(), Jdbc.NO_PARAMETERS, rs -> {
            List<Long> missing = new ArrayList<>();
            for (int i = 0; i < fields.size(); i++) {
                missing.add(rs.getLong(i + 3));
            }
            return new StatusCount(rs.getString(1), rs.getLong(2), missing);
        });
    }

    /** The attempt a row is at (1 for its first run): one column, for an experiment that asks. */
    int attempt(long id) {
        List<Integer> found = db.withConnection(
                "cannot read the attempt of experiment " + id + " of " + db.table,
                c -> Jdbc.query(
                        c,
                        "SELECT attempt FROM " + db.table + " WHERE id = ?",
                        ps -> ps.setLong(1, id),
                        rs -> rs.getInt(1)));
        if (found.isEmpty()) {
            throw new StoreException("table " + db.table + " has no experiment with id " + id);
        }
        return found.get(0);
    }

    Map<String, Object> row(long id) {
        List<Map<String, Object>> rows = db.withConnection(
                "cannot read experiment " + id + " of " + db.table,
                c -> Jdbc.query(
                        c, "SELECT * FROM " + db.table + " WHERE id = ?", ps -> ps.setLong(1, id), this::toMap));
        if (rows.isEmpty()) {
            throw new StoreException("table " + db.table + " has no experiment with id " + id);
        }
        return rows.get(0);
    }

    List<Map<String, Object>> rows() {
        return db.withConnection(
                "cannot read " + db.table,
                c -> Jdbc.query(c, "SELECT * FROM " + db.table + " ORDER BY id", Jdbc.NO_PARAMETERS, this::toMap));
    }

    /** Rows of a log table for one experiment, oldest first, as maps of the declared columns. */
    List<Map<String, Object>> logRows(String logtable, long experimentId) {
        Map<String, FieldType> cols = config.logtables().get(logtable);
        if (cols == null) {
            throw new StoreException("no log table '" + logtable + "' declared in " + config.origin());
        }
        String name = db.schema.logTable(logtable);
        return db.withConnection(
                "cannot read log table " + name,
                c -> Jdbc.query(
                        c,
                        "SELECT * FROM " + name + " WHERE experiment_id = ? ORDER BY id",
                        ps -> ps.setLong(1, experimentId),
                        rs -> {
                            Map<String, Object> m = new LinkedHashMap<>();
                            for (Map.Entry<String, FieldType> e : cols.entrySet()) {
                                m.put(e.getKey(), Values.read(rs, e.getKey(), e.getValue()));
                            }
                            return m;
                        }));
    }

    private Map<String, Object> toMap(ResultSet rs) throws SQLException {
        Map<String, Object> m = new LinkedHashMap<>();
        ResultSetMetaData md = rs.getMetaData();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            String col = md.getColumnName(i).toLowerCase(Locale.ROOT);
            m.put(col, readColumn(rs, col));
        }
        return m;
    }

    /** One column of a row as its Java type (keyfields and results as declared, timestamps as Instant). */
    Object readColumn(ResultSet rs, String col) throws SQLException {
        Parameter p = config.keyfield(col);
        if (p != null) {
            return Values.read(rs, col, p.type());
        }
        FieldType result = config.resultfields().get(col);
        if (result != null) {
            return Values.read(rs, col, result);
        }
        switch (col) {
            case "creation_date":
            case "start_date":
            case "end_date":
                return db.dialect.getTimestamp(rs, col);
            case "id":
            case "heartbeat":
            case "allocated_bytes":
            case "lease_ms":
            case "parent_id":
                return Values.read(rs, col, FieldType.LONG);
            case "attempt":
            case "stage":
            case "bracket":
                return Values.read(rs, col, FieldType.INT);
            case "wall_time":
            case "cpu_time":
                return Values.read(rs, col, FieldType.DOUBLE);
            default:
                String stem =
                        col.endsWith("_timestamp") ? col.substring(0, col.length() - "_timestamp".length()) : null;
                if (stem != null && config.resultfields().containsKey(stem)) {
                    return db.dialect.getTimestamp(rs, col);
                }
                return rs.getObject(col);
        }
    }
}
