package org.experimenter.store;

import static org.experimenter.store.StatusLiterals.CREATED;
import static org.experimenter.store.StatusLiterals.ERROR;
import static org.experimenter.store.StatusLiterals.RUNNING;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.experimenter.FieldType;
import org.experimenter.Status;
import org.experimenter.StoreException;
import org.experimenter.config.ExperimentConfig;

/**
 * Writes finished attempts: results, end time, status and resources on the experiment row,
 * guarded by the claim, and a row in the attempts table, in one transaction. A row no longer
 * held under the claim (its lease was lost and the row recovered, reset or claimed by another
 * worker) is not written. An error with attempts left goes back to created when the config
 * retries errors.
 */
final class Completions implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Database db;
    private final AttemptLog attempts;
    private final EnergyLog energy;
    private final ExperimentConfig config;
    private final Map<String, FieldType> resultfields;

    Completions(Database db, AttemptLog attempts) {
        this.db = db;
        this.attempts = attempts;
        this.energy = new EnergyLog(db);
        this.config = db.config;
        this.resultfields = new LinkedHashMap<>(db.config.resultfields());
    }

    /**
     * Writes several finished attempts under one claim in one transaction (group commit for fast
     * experiments): one guarded UPDATE per row, sent in JDBC batches, and the attempts rows.
     * Returns, per outcome, whether it was written.
     */
    List<Boolean> finishAll(Connection c, Claim claim, List<Outcome> outcomes) throws SQLException {
        Instant now = db.now();
        return Jdbc.inTransaction(c, conn -> {
            // outcomes with the same SQL (whether errors go back to created, which result fields)
            // share one batch; the SQL is built once per group
            Map<List<Object>, List<Integer>> groups = new LinkedHashMap<>();
            for (int k = 0; k < outcomes.size(); k++) {
                Outcome o = outcomes.get(k);
                List<Object> shape = new ArrayList<>(o.results().keySet());
                shape.add(retried(o));
                groups.computeIfAbsent(shape, x -> new ArrayList<>()).add(k);
            }
            int[] updated = new int[outcomes.size()];
            for (List<Integer> group : groups.values()) {
                try (PreparedStatement ps = conn.prepareStatement(finishSql(outcomes.get(group.get(0))))) {
                    for (int k : group) {
                        bindFinish(ps, claim, outcomes.get(k), now);
                        ps.addBatch();
                    }
                    int[] counts = ps.executeBatch();
                    for (int j = 0; j < counts.length; j++) {
                        updated[group.get(j)] = counts[j];
                    }
                }
            }
            List<Boolean> written = new ArrayList<>(outcomes.size());
            org.experimenter.provenance.Provenance provenance = db.provenance();
            try (PreparedStatement ps = conn.prepareStatement(attempts.insertSql(0))) {
                boolean any = false;
                for (int k = 0; k < outcomes.size(); k++) {
                    Outcome o = outcomes.get(k);
                    if (updated[k] > 1 || updated[k] < 0) {
                        throw new StoreException("finishing experiment " + o.id() + " of " + db.table + " updated "
                                + updated[k] + " rows; this is a bug");
                    }
                    written.add(updated[k] == 1);
                    if (updated[k] == 1) {
                        String outcome = o.status() == Status.DONE ? "done" : o.errorKind();
                        attempts.bind(
                                ps, o.id(), claim, o.measure().start(), now, outcome, o.error(), o.ran(), provenance);
                        ps.addBatch();
                        any = true;
                    }
                }
                if (any) {
                    ps.executeBatch();
                }
            }
            if (config.energy().enabled()) {
                try (PreparedStatement ps = conn.prepareStatement(energy.insertSql())) {
                    boolean any = false;
                    for (int k = 0; k < outcomes.size(); k++) {
                        Outcome o = outcomes.get(k);
                        if (written.get(k) && o.measure().energy() != null) {
                            energy.bind(ps, o.id(), o.measure().energy());
                            ps.addBatch();
                            any = true;
                        }
                    }
                    if (any) {
                        ps.executeBatch();
                    }
                }
            }
            return written;
        });
    }

    /**
     * Whether the outcome is an error that goes back to created while attempts remain: any error
     * when the config retries errors, and one that ran out of memory with a larger level to run at.
     */
    private boolean retried(Outcome o) {
        return o.status() == Status.ERROR && (config.retryErrors() || o.escalates());
    }

    private String finishSql(Outcome o) {
        StringBuilder sql = new StringBuilder("UPDATE " + db.table + " SET ");
        sql.append(
                retried(o)
                        ? "status = CASE WHEN attempt < ? THEN " + CREATED + " ELSE " + ERROR + " END,"
                        : "status = ?,");
        sql.append(" start_date = ?, end_date = ?, error = ?, error_kind = ?, heartbeat = NULL, wall_time = ?,"
                + " cpu_time = ?, allocated_bytes = ?, spark_app = ?, experiment_class = NULL");
        for (String f : o.results().keySet()) {
            sql.append(", ").append(f).append(" = ?");
            if (config.resultTimestamps()) {
                sql.append(", ").append(f).append("_timestamp = ?");
            }
        }
        return sql.append(" WHERE id = ? AND claim_token = ? AND status = " + RUNNING)
                .toString();
    }

    private void bindFinish(PreparedStatement ps, Claim claim, Outcome o, Instant now) throws SQLException {
        int i = 1;
        if (retried(o)) {
            ps.setInt(i++, config.maxAttempts());
        } else {
            ps.setString(i++, o.status().dbName());
        }
        Outcome.Measure m = o.measure();
        db.dialect.setTimestamp(ps, i++, m.start());
        db.dialect.setTimestamp(ps, i++, now);
        ps.setString(i++, Values.text(o.error()));
        ps.setString(i++, o.errorKind());
        ps.setDouble(i++, m.wallSeconds());
        if (Double.isNaN(m.cpuSeconds())) {
            ps.setNull(i++, Types.DOUBLE);
        } else {
            ps.setDouble(i++, m.cpuSeconds());
        }
        if (m.allocatedBytes() < 0) {
            ps.setNull(i++, Types.BIGINT); // not measured: the experiment was given up
        } else {
            ps.setLong(i++, m.allocatedBytes());
        }
        ps.setString(i++, o.ran().sparkApp() != null ? o.ran().sparkApp() : claim.sparkApp());
        for (String f : o.results().keySet()) {
            Values.bind(ps, i++, resultfields.get(f), o.results().get(f));
            if (config.resultTimestamps()) {
                db.dialect.setTimestamp(ps, i++, o.resultTimes().getOrDefault(f, now));
            }
        }
        ps.setLong(i++, o.id());
        ps.setString(i, claim.token());
    }

    /**
     * Whether a finish under this claim is in the table: the row still carries the claim's token
     * and is no longer running. Tells a finish whose commit went through but whose answer was
     * lost (repeated, it finds nothing to update) from one that lost the row.
     */
    boolean finishedUnder(Connection c, long id, Claim claim) throws SQLException {
        return !Jdbc.query(
                        c,
                        "SELECT 1 FROM " + db.table + " WHERE id = ? AND claim_token = ? AND status <> " + RUNNING,
                        ps -> {
                            ps.setLong(1, id);
                            ps.setString(2, claim.token());
                        },
                        rs -> 1)
                .isEmpty();
    }
}
