package org.experimenter.store;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.experimenter.FieldType;
import org.experimenter.Status;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.grid.Parameter;

/**
 * Rows that come with their ids from another tool's table (PyExperimenter's), inserted with
 * those ids, their log rows and one attempts row each, in one transaction: all of them or none.
 * The caller has checked every value against the config; conflicts with rows already here are
 * found with {@link #existingKeys}.
 */
public final class RowImport implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int BATCH = 1_000;

    private final Database db;
    private final ExperimentConfig config;

    RowImport(Database db) {
        this.db = db;
        this.config = db.config;
    }

    /** A row as it is to be stored; results and their times by field name. */
    public record Row(
            long id,
            Object[] keys,
            Status status,
            Instant created,
            Instant started,
            Instant ended,
            String machine,
            Map<String, Object> results,
            Map<String, Instant> resultTimes,
            String error,
            String errorKind,
            int attempt,
            String runId) {}

    /** A log-table row of one of the rows. */
    public record LogRow(
            String logtable, long experimentId, int attempt, Instant timestamp, Map<String, Object> values) {}

    /** The energy of one attempt of one of the rows (a CodeCarbon row). */
    public record EnergyRow(long experimentId, int attempt, org.experimenter.energy.Energy energy) {}

    /** Every row's id and keyfield values, to tell rows already copied from conflicting ones. */
    public Map<Long, List<Object>> existingKeys() {
        List<Parameter> keys = config.keyfields();
        StringJoiner cols = new StringJoiner(", ");
        keys.forEach(p -> cols.add(p.name()));
        Map<Long, List<Object>> out = new HashMap<>();
        db.withConnection(
                "cannot read the rows of " + db.table,
                c -> Jdbc.query(c, "SELECT id, " + cols + " FROM " + db.table, Jdbc.NO_PARAMETERS, rs -> {
                    Object[] v = new Object[keys.size()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = Values.read(rs, keys.get(i).name(), keys.get(i).type());
                    }
                    return out.put(rs.getLong(1), Arrays.asList(v));
                }));
        return out;
    }

    /** Inserts the rows and log rows in one transaction; returns the number of rows inserted. */
    public int insert(List<Row> rows, List<LogRow> logRows) {
        return insert(rows, logRows, List.of());
    }

    /**
     * The same with energy rows, which go into the energy table when energy is on (the config
     * has one) and are dropped otherwise.
     */
    public int insert(List<Row> rows, List<LogRow> logRows, List<EnergyRow> energyRows) {
        if (rows.isEmpty()) {
            return 0;
        }
        List<String> columns = new ArrayList<>(List.of("id"));
        config.keyfields().forEach(p -> columns.add(p.name()));
        columns.addAll(List.of("status", "creation_date", "start_date", "end_date", "machine"));
        List<String> results = new ArrayList<>(config.resultfields().keySet());
        for (String r : results) {
            columns.add(r);
            if (config.resultTimestamps()) {
                columns.add(r + "_timestamp");
            }
        }
        columns.addAll(List.of("error", "error_kind", "attempt", "run_id"));
        String sql = "INSERT INTO " + db.table + " (" + String.join(", ", columns) + ") VALUES ("
                + String.join(", ", java.util.Collections.nCopies(columns.size(), "?")) + ")";
        return db.withConnection(
                "cannot copy rows into " + db.table,
                c -> Jdbc.inTransaction(c, conn -> {
                    try (PreparedStatement ps = conn.prepareStatement(sql)) {
                        Jdbc.inBatches(ps, rows, BATCH, (st, r) -> bindRow(st, r, results));
                    }
                    attempts(conn, rows);
                    logs(conn, logRows);
                    if (config.energy().enabled() && !energyRows.isEmpty()) {
                        EnergyLog energy = new EnergyLog(db);
                        try (PreparedStatement ps = conn.prepareStatement(energy.insertValuesSql())) {
                            Jdbc.inBatches(
                                    ps,
                                    energyRows,
                                    BATCH,
                                    (st, e) -> energy.bindValues(st, e.experimentId(), e.attempt(), e.energy()));
                        }
                    }
                    String reset = db.dialect.identityResetStatement(db.table);
                    if (reset != null) {
                        try (Statement s = conn.createStatement()) {
                            s.execute(reset);
                        }
                    }
                    return rows.size();
                }));
    }

    private void bindRow(PreparedStatement ps, Row r, List<String> results) throws SQLException {
        int i = 1;
        ps.setLong(i++, r.id());
        for (int k = 0; k < r.keys().length; k++) {
            Values.bind(ps, i++, config.keyfields().get(k).type(), r.keys()[k]);
        }
        ps.setString(i++, r.status().dbName());
        db.dialect.setTimestamp(ps, i++, r.created());
        db.dialect.setTimestamp(ps, i++, r.started());
        db.dialect.setTimestamp(ps, i++, r.ended());
        ps.setString(i++, Values.text(r.machine()));
        for (String f : results) {
            FieldType type = config.resultfields().get(f);
            Values.bind(ps, i++, type, r.results().get(f));
            if (config.resultTimestamps()) {
                db.dialect.setTimestamp(ps, i++, r.resultTimes().get(f));
            }
        }
        ps.setString(i++, Values.text(r.error()));
        ps.setString(i++, r.errorKind());
        ps.setInt(i++, r.attempt());
        ps.setString(i, Values.text(r.runId()));
    }

    /** One attempts row for each row that ran there, so the history agrees with the row. */
    private void attempts(Connection c, List<Row> rows) throws SQLException {
        AttemptLog log = new AttemptLog(db);
        List<Row> ran = rows.stream().filter(r -> r.attempt() > 0).toList();
        try (PreparedStatement ps = c.prepareStatement(log.insertSql(0))) {
            Jdbc.inBatches(ps, ran, BATCH, (st, r) -> {
                String outcome = r.status() == Status.DONE
                        ? "done"
                        : r.status() == Status.PAUSED ? "paused" : r.status() == Status.ERROR ? "exception" : "lost";
                Claim adopted = new Claim(r.runId(), null, r.machine(), null, null);
                log.bind(st, r.id(), adopted, r.started(), r.ended(), outcome, r.error(), Outcome.Ran.UNKNOWN, null);
            });
        }
    }

    private void logs(Connection c, List<LogRow> logRows) throws SQLException {
        Map<String, List<LogRow>> byTable = new HashMap<>();
        logRows.forEach(l ->
                byTable.computeIfAbsent(l.logtable(), k -> new ArrayList<>()).add(l));
        for (Map.Entry<String, List<LogRow>> t : byTable.entrySet()) {
            Map<String, FieldType> cols = config.logtables().get(t.getKey());
            List<String> names = new ArrayList<>(cols.keySet());
            String sql = "INSERT INTO " + db.schema.logTable(t.getKey()) + " (experiment_id, attempt, timestamp"
                    + (names.isEmpty() ? "" : ", " + String.join(", ", names)) + ") VALUES (?, ?, ?"
                    + ", ?".repeat(names.size()) + ")";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                Jdbc.inBatches(ps, t.getValue(), BATCH, (st, l) -> {
                    st.setLong(1, l.experimentId());
                    st.setInt(2, l.attempt());
                    db.dialect.setTimestamp(st, 3, l.timestamp());
                    int i = 4;
                    for (String n : names) {
                        Values.bind(st, i++, cols.get(n), l.values().get(n));
                    }
                });
            }
        }
    }
}
