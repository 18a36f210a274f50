package org.experimenter.pyexperimenter;

import static org.experimenter.pyexperimenter.SourceValues.convert;
import static org.experimenter.pyexperimenter.SourceValues.show;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.experimenter.FieldType;
import org.experimenter.Status;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.grid.Parameter;
import org.experimenter.store.RowImport;
import org.experimenter.store.dialect.Dialect;

/**
 * Reads PyExperimenter's experiment table and its log tables into rows of this tool: counts by
 * status, the columns checked against the config, every row converted (running rows as created),
 * log rows linked to the attempt their row is copied with. Rows that cannot be read go to
 * {@link Problems}.
 */
final class SourceTable {
    /** PyExperimenter's own columns beside keyfields and result fields (its CREATE TABLE). */
    private static final Set<String> BUILT_IN =
            Set.of("id", "creation_date", "status", "start_date", "name", "machine", "end_date", "error");

    private final ExperimentConfig config;
    private final TableAdoption.Options o;
    private final SourceDatabase from;
    private final String source;
    /** The config's database: what it can store. */
    private final Dialect target;

    private final Problems problems;
    /** Rows that were running there, copied as created. */
    private final Set<Long> resetIds = new HashSet<>();

    SourceTable(
            ExperimentConfig config, TableAdoption.Options o, SourceDatabase from, Dialect target, Problems problems) {
        this.config = config;
        this.o = o;
        this.from = from;
        this.source = o.table() + " in " + from.describe();
        this.target = target;
        this.problems = problems;
    }

    /** The table and its database, as messages name them. */
    String source() {
        return source;
    }

    /** The ids of rows that were running there, read as created. */
    Set<Long> resetIds() {
        return resetIds;
    }

    Map<Status, Long> counts(Connection c) throws SQLException {
        Map<Status, Long> out = new EnumMap<>(Status.class);
        for (Status s : Status.values()) {
            out.put(s, 0L);
        }
        try (PreparedStatement ps = c.prepareStatement(
                        "SELECT status, COUNT(*) FROM " + o.table() + " GROUP BY status ORDER BY status");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String status = rs.getString(1);
                Status s = parseStatus(status);
                if (s == null) {
                    throw new TableAdoption.AdoptionException(rs.getLong(2) + " rows of " + source
                            + " have the status '" + status
                            + "', which PyExperimenter 1.4.2 does not write (created, running, done, error,"
                            + " paused); nothing was copied");
                }
                out.put(s, out.get(s) + rs.getLong(2));
            }
        }
        return out;
    }

    private static Status parseStatus(String s) {
        if (s == null) {
            return null;
        }
        for (Status st : Status.values()) {
            if (st.dbName().equals(s)) {
                return st;
            }
        }
        return null;
    }

    /** Every row that can be read, in id order; {@code lines} gets a note on DECIMAL columns. */
    List<RowImport.Row> rows(Connection c, List<String> lines) throws SQLException {
        List<RowImport.Row> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM " + o.table() + " ORDER BY ID")) {
            ps.setFetchSize(1_000);
            try (ResultSet rs = ps.executeQuery()) {
                Map<String, Integer> cols = configColumns(rs.getMetaData());
                decimals(rs.getMetaData(), lines);
                while (rs.next()) {
                    RowImport.Row r = row(rs, cols);
                    if (r != null) {
                        out.add(r);
                    }
                }
            }
        }
        return out;
    }

    /**
     * A note naming the fields MySQL keeps as DECIMAL, with their scale: PyExperimenter's values
     * were rounded to it when written (DECIMAL alone is DECIMAL(10,0)), and they are copied as stored.
     */
    private static void decimals(ResultSetMetaData md, List<String> lines) throws SQLException {
        List<String> fields = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            int type = md.getColumnType(i);
            if (type == Types.DECIMAL || type == Types.NUMERIC) {
                fields.add(md.getColumnLabel(i).toLowerCase(Locale.ROOT) + " (scale " + md.getScale(i) + ")");
            }
        }
        if (!fields.isEmpty()) {
            lines.add("note: " + String.join(", ", fields) + " are DECIMAL there: MySQL rounded PyExperimenter's"
                    + " values to that scale when they were written, and they are copied as stored");
        }
    }

    /** Column name (lower case) to index. */
    static Map<String, Integer> columns(ResultSetMetaData md) throws SQLException {
        Map<String, Integer> cols = new LinkedHashMap<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            cols.put(md.getColumnLabel(i).toLowerCase(Locale.ROOT), i);
        }
        return cols;
    }

    /** {@link #columns}, which must be exactly the config's columns. */
    private Map<String, Integer> configColumns(ResultSetMetaData md) throws SQLException {
        Map<String, Integer> cols = columns(md);
        List<String> expected = new ArrayList<>(BUILT_IN);
        config.keyfieldNames().forEach(expected::add);
        for (String r : config.resultfields().keySet()) {
            expected.add(r);
            if (config.resultTimestamps()) {
                expected.add(r + "_timestamp");
            }
        }
        List<String> missing = new ArrayList<>(expected);
        missing.removeAll(cols.keySet());
        List<String> extra = new ArrayList<>(cols.keySet());
        extra.removeAll(expected);
        if (!missing.isEmpty() || !extra.isEmpty()) {
            throw new TableAdoption.AdoptionException("the PyExperimenter table " + source + " does not match "
                    + config.origin() + ": missing " + (missing.isEmpty() ? "none" : String.join(", ", missing))
                    + "; not in the config " + (extra.isEmpty() ? "none" : String.join(", ", extra))
                    + " (import its config with import-pyexperimenter); nothing was copied");
        }
        return cols;
    }

    private RowImport.Row row(ResultSet rs, Map<String, Integer> cols) throws SQLException {
        long id = rs.getLong(cols.get("id"));
        List<Parameter> keyfields = config.keyfields();
        Object[] keys = new Object[keyfields.size()];
        for (int i = 0; i < keys.length; i++) {
            Parameter p = keyfields.get(i);
            Object raw = rs.getObject(cols.get(p.name()));
            if (raw == null && p.type() == FieldType.STRING && o.nullAs() != null) {
                raw = o.nullAs();
            }
            if (raw == null) {
                return problems.row(
                        id,
                        "keyfield " + p.name() + " is NULL (keyfields here always have a value"
                                + (p.type() == FieldType.STRING ? "; --null-as TEXT stores one instead" : "") + ")");
            }
            keys[i] = convert(raw, p.type());
            if (keys[i] == null) {
                return problems.row(
                        id, "keyfield " + p.name() + ": expected " + p.type().configName() + ", found " + show(raw));
            }
        }
        int problemsBefore = problems.size();
        String statusText = rs.getString(cols.get("status"));
        Status status = parseStatus(statusText);
        if (status == null) {
            return problems.row(id, "status " + show(statusText) + " is none of created, running, done, error, paused");
        }
        Instant created = date(rs, cols, "creation_date", id);
        Instant started = date(rs, cols, "start_date", id);
        Instant ended = date(rs, cols, "end_date", id);
        if (problems.size() > problemsBefore) {
            return null;
        }
        if (created == null) {
            return problems.row(id, "creation_date is NULL");
        }
        Map<String, Object> results = new LinkedHashMap<>();
        Map<String, Instant> times = new LinkedHashMap<>();
        boolean running = status == Status.RUNNING;
        for (Map.Entry<String, FieldType> r : config.resultfields().entrySet()) {
            Object raw = rs.getObject(cols.get(r.getKey()));
            Object v = convert(raw, r.getValue());
            if (raw != null && v == null) {
                return problems.row(
                        id,
                        "result field " + r.getKey() + ": expected "
                                + r.getValue().configName() + ", found " + show(raw));
            }
            if (v instanceof Double d && d.isInfinite() && !target.storesInfinity()) {
                return problems.row(
                        id, "result field " + r.getKey() + ": " + d + " cannot be stored in " + target.name());
            }
            if (!running) {
                results.put(r.getKey(), v);
            }
            if (config.resultTimestamps() && !running) {
                times.put(r.getKey(), date(rs, cols, r.getKey() + "_timestamp", id));
            }
        }
        String error = rs.getString(cols.get("error"));
        String name = rs.getString(cols.get("name"));
        if (running) {
            // reset to created, as reset does: no results, no dates but the creation, attempt 0
            resetIds.add(id);
            return new RowImport.Row(
                    id, keys, Status.CREATED, created, null, null, null, Map.of(), Map.of(), null, null, 0, null);
        }
        boolean ran = status != Status.CREATED;
        return new RowImport.Row(
                id,
                keys,
                status,
                created,
                ran ? started : null,
                ran ? ended : null,
                rs.getString(cols.get("machine")),
                results,
                times,
                status == Status.ERROR || error != null ? error : null,
                status == Status.ERROR ? "exception" : null,
                ran ? 1 : 0,
                ran ? "pyexperimenter:" + (name == null ? "" : name) : null);
    }

    /** The rows of log table {@code <table>__<logtable>} of the rows copied ({@code attemptOf}). */
    List<RowImport.LogRow> logRows(Connection c, String logtable, Map<Long, Integer> attemptOf, List<String> lines)
            throws SQLException {
        String table = o.table() + "__" + logtable;
        Map<String, FieldType> declared = config.logtables().get(logtable);
        List<RowImport.LogRow> out = new ArrayList<>();
        int orphans = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM " + table + " ORDER BY ID")) {
            ps.setFetchSize(1_000);
            try (ResultSet rs = ps.executeQuery()) {
                Map<String, Integer> cols = columns(rs.getMetaData());
                List<String> missing = new ArrayList<>(declared.keySet());
                missing.addAll(List.of("experiment_id", "timestamp"));
                missing.removeAll(cols.keySet());
                if (!missing.isEmpty()) {
                    throw new TableAdoption.AdoptionException(
                            "the log table " + table + " has no column " + String.join(", ", missing) + " that "
                                    + config.origin() + " declares; nothing was copied");
                }
                while (rs.next()) {
                    long logId = rs.getLong(cols.get("id"));
                    long experiment = rs.getLong(cols.get("experiment_id"));
                    Integer attempt = attemptOf.get(experiment);
                    if (attempt == null || attempt == 0) {
                        orphans++; // of a row skipped, reset, or not in the table: not copied
                        continue;
                    }
                    Instant at = date(rs, cols, "timestamp", experiment);
                    Map<String, Object> values = new LinkedHashMap<>();
                    for (Map.Entry<String, FieldType> d : declared.entrySet()) {
                        Object raw = rs.getObject(cols.get(d.getKey()));
                        Object v = convert(raw, d.getValue());
                        if (raw != null && v == null) {
                            problems.add(table + " row " + logId + ": column " + d.getKey() + ": expected "
                                    + d.getValue().configName() + ", found " + show(raw));
                        }
                        values.put(d.getKey(), v);
                    }
                    if (at == null) {
                        problems.add(table + " row " + logId + ": timestamp is NULL");
                        continue;
                    }
                    out.add(new RowImport.LogRow(logtable, experiment, attempt, at, values));
                }
            }
        } catch (SQLException e) {
            if (!SourceDatabase.tableExists(c, table)) {
                lines.add("log table " + table + ": not in " + from.describe() + "; nothing to copy");
                return out;
            }
            throw e;
        }
        lines.add("log table " + table + ": " + out.size() + " rows to copy"
                + (orphans > 0 ? ", " + orphans + " not (of rows skipped, reset or missing)" : ""));
        return out;
    }

    /** A date column read in the zone; null when empty, or when it is no date (then a problem). */
    private Instant date(ResultSet rs, Map<String, Integer> cols, String column, long id) throws SQLException {
        String text = rs.getString(cols.get(column));
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return SourceValues.date(text, o.zone());
        } catch (DateTimeException e) {
            return problems.row(id, column + " " + show(text) + " is not a date yyyy-MM-dd HH:mm:ss");
        }
    }
}
