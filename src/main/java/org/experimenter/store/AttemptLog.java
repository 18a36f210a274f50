package org.experimenter.store;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The attempts table {@code <table>__attempts}: one row per attempt at an experiment (done,
 * error, timeout, lost, released, ...), written in the same transaction as the change to the
 * experiment row, so the history never disagrees with the row.
 */
final class AttemptLog implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Database db;

    AttemptLog(Database db) {
        this.db = db;
    }

    /**
     * The insert of one attempt row; the attempt number is the experiment row's current one plus
     * offset (1 after the row gave its attempt back).
     */
    String insertSql(int offset) {
        return "INSERT INTO " + db.schema.attemptsTable()
                + " (experiment_id, attempt, run_id, spark_app, machine, executor,"
                + " start_date, end_date, outcome, error, resources, config_hash, code_version, code_dirty,"
                + " runtime_version, packages) SELECT id, attempt" + (offset == 0 ? "" : " + " + offset)
                + ", ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM " + db.table + " WHERE id = ?";
    }

    /**
     * Binds one attempt row; with provenance (a finished attempt) its code and config, without
     * (lost, released, adopted) those stay null, as do the facts of {@code ran} not known.
     */
    void bind(
            PreparedStatement ps,
            long id,
            Claim claim,
            Instant start,
            Instant end,
            String outcome,
            String error,
            Outcome.Ran ran,
            org.experimenter.provenance.Provenance provenance)
            throws SQLException {
        ps.setString(1, claim.runId());
        ps.setString(2, claim.sparkApp());
        ps.setString(3, claim.machine());
        ps.setString(4, claim.executor());
        db.dialect.setTimestamp(ps, 5, start);
        db.dialect.setTimestamp(ps, 6, end);
        ps.setString(7, outcome == null ? "unknown" : outcome);
        ps.setString(8, Values.text(error));
        ps.setString(9, ran.resources());
        ps.setString(10, provenance == null ? null : provenance.configHash());
        ps.setString(11, provenance == null ? null : provenance.codeVersion());
        if (provenance == null || provenance.codeDirty() == null) {
            ps.setNull(12, java.sql.Types.INTEGER);
        } else {
            ps.setInt(12, provenance.codeDirty() ? 1 : 0);
        }
        ps.setString(13, ran.runtimeVersion());
        ps.setString(14, ran.packages());
        ps.setLong(15, id);
    }

    /** Appends one attempt row, numbered as the row's current attempt. */
    void record(Connection c, long id, Claim claim, Instant end, String outcome, String error) throws SQLException {
        record(c, id, claim, end, outcome, error, 0);
    }

    /** The same, numbering the attempt the row's attempt plus offset. */
    void record(Connection c, long id, Claim claim, Instant end, String outcome, String error, int offset)
            throws SQLException {
        Jdbc.update(
                c, insertSql(offset), ps -> bind(ps, id, claim, null, end, outcome, error, Outcome.Ran.UNKNOWN, null));
    }

    /**
     * The code versions of the done rows: for each, the attempt that made it done (its last done
     * attempt: a reset row run again numbers its attempts from 1 again). More than one means the
     * results of the table came from different code.
     */
    List<CodeVersionCount> codeVersionsOfDoneRows() {
        return db.withConnection(
                "cannot read the code versions of " + db.table,
                c -> Jdbc.query(
                        c,
                        "SELECT a.code_version, MAX(a.code_dirty), COUNT(*) FROM " + db.schema.attemptsTable()
                                + " a JOIN " + db.table + " r ON r.id = a.experiment_id"
                                + " WHERE r.status = " + StatusLiterals.literal(org.experimenter.Status.DONE)
                                + " AND a.id IN (SELECT MAX(id) FROM " + db.schema.attemptsTable()
                                + " WHERE outcome = 'done' GROUP BY experiment_id)"
                                + " GROUP BY a.code_version ORDER BY COUNT(*) DESC",
                        Jdbc.NO_PARAMETERS,
                        rs -> new CodeVersionCount(rs.getString(1), rs.getInt(2) == 1, rs.getLong(3))));
    }

    /**
     * How many attempts at an experiment ended out of memory: the escalation level its next
     * attempt runs at.
     */
    int outOfMemory(Connection c, long id) throws SQLException {
        return Jdbc.query(
                        c,
                        "SELECT count(*) FROM " + db.schema.attemptsTable()
                                + " WHERE experiment_id = ? AND outcome = ?",
                        ps -> {
                            ps.setLong(1, id);
                            ps.setString(2, OUT_OF_MEMORY);
                        },
                        rs -> rs.getInt(1))
                .get(0);
    }

    /** The outcome and error kind of an attempt that failed with the signs of running out of memory. */
    static final String OUT_OF_MEMORY = Outcome.OUT_OF_MEMORY;

    /** The attempts of one experiment, oldest first. */
    List<Map<String, Object>> of(long id) {
        return db.withConnection(
                "cannot read the attempts of experiment " + id + " of " + db.table,
                c -> Jdbc.query(
                        c,
                        "SELECT attempt, run_id, spark_app, machine, executor, outcome, error, resources FROM "
                                + db.schema.attemptsTable() + " WHERE experiment_id = ? ORDER BY id",
                        ps -> ps.setLong(1, id),
                        rs -> {
                            Map<String, Object> m = new LinkedHashMap<>();
                            m.put("attempt", rs.getInt(1));
                            m.put("run_id", rs.getString(2));
                            m.put("spark_app", rs.getString(3));
                            m.put("machine", rs.getString(4));
                            m.put("executor", rs.getString(5));
                            m.put("outcome", rs.getString(6));
                            m.put("error", rs.getString(7));
                            m.put("resources", rs.getString(8));
                            return m;
                        }));
    }

    /**
     * Every column of an experiment's last attempt that counted (not {@code released}), lower
     * case, or an empty map when it has none: the columns of later versions (provenance) included.
     */
    Map<String, Object> lastCounted(long id) {
        List<Map<String, Object>> rows = db.withConnection(
                "cannot read the attempts of experiment " + id + " of " + db.table,
                c -> Jdbc.query(
                        c,
                        "SELECT * FROM " + db.schema.attemptsTable()
                                + " WHERE experiment_id = ? AND outcome <> 'released' ORDER BY id DESC",
                        ps -> ps.setLong(1, id),
                        rs -> {
                            Map<String, Object> m = new LinkedHashMap<>();
                            java.sql.ResultSetMetaData md = rs.getMetaData();
                            for (int i = 1; i <= md.getColumnCount(); i++) {
                                m.put(md.getColumnLabel(i).toLowerCase(java.util.Locale.ROOT), rs.getObject(i));
                            }
                            return m;
                        }));
        return rows.isEmpty() ? Map.of() : rows.get(0);
    }
}
