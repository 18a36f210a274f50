package org.experimenter.store;

import static org.experimenter.store.StatusLiterals.RUNNING;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.experimenter.FieldType;
import org.experimenter.StoreException;
import org.experimenter.config.ExperimentConfig;

/**
 * What a running experiment writes before it ends: intermediate results on its row, guarded
 * by the claim, and rows of its log tables.
 */
final class RunningWrites implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Database db;
    private final ExperimentConfig config;

    RunningWrites(Database db) {
        this.db = db;
        this.config = db.config;
    }

    /**
     * Writes results of a running experiment now, guarded by the claim when a token is given,
     * else by the row being running (attach). Returns false when the row is not running (under
     * that claim).
     */
    boolean writeResults(Connection c, long id, String token, Map<String, Object> results, Map<String, Instant> times)
            throws SQLException {
        if (results.isEmpty()) {
            return true;
        }
        List<String> fields = new ArrayList<>(results.keySet());
        StringJoiner set = new StringJoiner(", ");
        for (String f : fields) {
            set.add(f + " = ?");
            if (config.resultTimestamps()) {
                set.add(f + "_timestamp = ?");
            }
        }
        String sql = "UPDATE " + db.table + " SET " + set + " WHERE id = ? AND status = " + RUNNING
                + (token == null ? "" : " AND claim_token = ?");
        Instant now = db.now();
        int updated = Jdbc.update(c, sql, ps -> {
            int i = 1;
            for (String f : fields) {
                Values.bind(ps, i++, config.resultfields().get(f), results.get(f));
                if (config.resultTimestamps()) {
                    db.dialect.setTimestamp(ps, i++, times.getOrDefault(f, now));
                }
            }
            ps.setLong(i++, id);
            if (token != null) {
                ps.setString(i, token);
            }
        });
        return updated == 1;
    }

    /**
     * Appends rows to a log table in one batch, each with the attempt that wrote it, guarded like
     * {@link #writeResults}: only while the row is running (under the claim, when a token is given).
     * Each row maps declared column names to values of their types (checked by the caller).
     * Returns false, writing nothing, when the row is no longer running (under that claim): an
     * abandoned or lost attempt cannot add to its rerun's log.
     */
    boolean appendLog(
            Connection c,
            String logtable,
            long experimentId,
            String token,
            List<Map<String, Object>> rows,
            List<Instant> times)
            throws SQLException {
        Map<String, FieldType> cols = config.logtables().get(logtable);
        if (cols == null) {
            throw new StoreException("no log table '" + logtable + "' declared in " + config.origin() + "; declared: "
                    + config.logtables().keySet());
        }
        List<String> names = new ArrayList<>(cols.keySet());
        StringJoiner marks = new StringJoiner(", ");
        for (int i = 0; i < names.size() + 1; i++) {
            marks.add("?");
        }
        String sql = "INSERT INTO " + db.schema.logTable(logtable) + " (experiment_id, attempt, timestamp, "
                + String.join(", ", names) + ") SELECT id, attempt, " + marks + " FROM " + db.table
                + " WHERE id = ? AND status = "
                + RUNNING + (token == null ? "" : " AND claim_token = ?");
        return Jdbc.inTransaction(c, conn -> {
            try (PreparedStatement ps = conn.prepareStatement(sql)) {
                for (int r = 0; r < rows.size(); r++) {
                    db.dialect.setTimestamp(ps, 1, times.get(r));
                    int i = 2;
                    for (String name : names) {
                        Values.bind(ps, i++, cols.get(name), rows.get(r).get(name));
                    }
                    ps.setLong(i++, experimentId);
                    if (token != null) {
                        ps.setString(i, token);
                    }
                    ps.addBatch();
                }
                for (int n : ps.executeBatch()) {
                    if (n != 1) {
                        conn.rollback();
                        return false;
                    }
                }
            }
            return true;
        });
    }
}
