package org.experimenter.store;

import static org.experimenter.store.StatusLiterals.CREATED;
import static org.experimenter.store.StatusLiterals.RUNNING;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.experimenter.Status;
import org.experimenter.StoreException;
import org.experimenter.grid.Parameter;

/**
 * The reads a run makes of the experiment table: the open rows of its {@link RunScope}, the rows
 * it holds, its progress, and the query Spark reads open rows with.
 */
public final class RunQueries implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Database db;

    RunQueries(Database db) {
        this.db = db;
    }

    private String sql(RunScope scope) {
        return ScopeSql.predicate(scope, db.dialect);
    }

    /** Smallest and largest id and the number of created rows in the scope, or null when none. */
    public OpenRows openRows(RunScope scope) {
        String where = "status = " + CREATED + " AND (" + sql(scope) + ")";
        List<long[]> r = db.withConnection(
                "cannot read open rows of " + db.table,
                c -> Jdbc.query(
                        c,
                        "SELECT MIN(id), MAX(id), COUNT(*) FROM " + db.table + " WHERE " + where,
                        Jdbc.NO_PARAMETERS,
                        rs -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)}));
        return r.get(0)[2] == 0 ? null : new OpenRows(r.get(0)[0], r.get(0)[1], r.get(0)[2]);
    }

    /**
     * Whether a created row is in the scope (a read; claims take the write lock). For the rows that
     * ran before ({@link RunScope#returned()}) a partial index holds just these, so looking for
     * them takes well under a millisecond among a million open rows.
     */
    boolean hasOpen(Connection c, RunScope scope) throws SQLException {
        return !Jdbc.query(c, hasOpenQuery(scope), Jdbc.NO_PARAMETERS, rs -> 1).isEmpty();
    }

    String hasOpenQuery(RunScope scope) {
        return "SELECT 1 FROM " + db.table + " WHERE status = " + CREATED + " AND (" + sql(scope) + ") LIMIT 1";
    }

    /** How many rows a run holds (running under its run id). */
    public long heldBy(String runId) {
        return db.withConnection("cannot count running rows of " + db.table, c -> heldBy(c, runId));
    }

    long heldBy(Connection c, String runId) throws SQLException {
        return Jdbc.query(
                        c,
                        "SELECT COUNT(*) FROM " + db.table + " WHERE status = " + RUNNING + " AND run_id = ?",
                        ps -> ps.setString(1, runId),
                        rs -> rs.getLong(1))
                .get(0);
    }

    /** The running rows of a scope held by other runs than the given one. */
    public List<RunningRow> runningElsewhere(RunScope scope, String runId) {
        return db.withConnection(
                "cannot read running rows of " + db.table,
                c -> Jdbc.query(
                        c,
                        "SELECT id, heartbeat, run_id FROM " + db.table + " WHERE status = " + RUNNING
                                + " AND (run_id IS NULL OR run_id <> ?) AND (" + sql(scope) + ") ORDER BY id",
                        ps -> ps.setString(1, runId),
                        rs -> new RunningRow(rs.getLong(1), rs.getLong(2), rs.getString(3))));
    }

    /** A finished row of a run: its status and experiment duration (null when not measured). */
    public record Ended(Status status, Double wallSeconds) {}

    /**
     * The rows a run finished (every status but running), or null when there are more than max:
     * a small run is summarized from these rather than with a Spark job.
     */
    public List<Ended> endedRows(String runId, int max) {
        return db.withConnection("cannot read the rows of run " + runId + " in " + db.table, c -> {
            long n = Jdbc.query(
                            c,
                            "SELECT COUNT(*) FROM " + db.table + " WHERE run_id = ? AND status <> " + RUNNING,
                            ps -> ps.setString(1, runId),
                            rs -> rs.getLong(1))
                    .get(0);
            if (n > max) {
                return null;
            }
            return Jdbc.query(
                    c,
                    "SELECT status, wall_time FROM " + db.table + " WHERE run_id = ? AND status <> " + RUNNING,
                    ps -> ps.setString(1, runId),
                    rs -> {
                        Status s = Status.parse(rs.getString(1));
                        double w = rs.getDouble(2);
                        return new Ended(s, rs.wasNull() ? null : w);
                    });
        });
    }

    /** Per status, the rows of a run and the rows of its scope still waiting to be claimed. */
    public Map<Status, Long> runCounts(String runId, RunScope scope) {
        String sql = "SELECT status, COUNT(*) FROM " + db.table + " WHERE run_id = ? OR (status = " + CREATED + " AND ("
                + sql(scope) + ")) GROUP BY status";
        Map<Status, Long> out = new EnumMap<>(Status.class);
        for (Status s : Status.values()) {
            out.put(s, 0L);
        }
        db.withConnection(
                "cannot count the rows of run " + runId + " in " + db.table,
                c -> Jdbc.query(
                        c,
                        sql,
                        ps -> ps.setString(1, runId),
                        rs -> out.put(Status.parse(rs.getString(1)), rs.getLong(2))));
        return out;
    }

    /**
     * Checks that a scope is a valid condition on this table (once, with a clear message, before
     * any row is touched) and, when max is positive, narrows it to the first max open rows in
     * its order.
     */
    public RunScope limitScope(RunScope scope, long max) throws SQLException {
        String orderKey = ScopeSql.orderKey(scope);
        try (Connection c = db.connect()) {
            Jdbc.query(
                    c, "SELECT id FROM " + db.table + " WHERE " + sql(scope) + " LIMIT 1", Jdbc.NO_PARAMETERS, rs -> 1);
            if (scope.isSeedMajor()) {
                long maxId = Jdbc.query(c, "SELECT MAX(id) FROM " + db.table, Jdbc.NO_PARAMETERS, rs -> rs.getLong(1))
                        .get(0);
                if (maxId >= RunScope.SEED_STRIDE) {
                    throw new StoreException("seed-major order keeps ids below " + RunScope.SEED_STRIDE + "; table "
                            + db.table + " has id " + maxId + ": run it in id order");
                }
            }
            if (max <= 0) {
                return scope;
            }
            List<Long> last = Jdbc.query(
                    c,
                    "SELECT " + orderKey + " FROM " + db.table + " WHERE status = " + CREATED + " AND (" + sql(scope)
                            + ") ORDER BY " + orderKey + " LIMIT 1 OFFSET ?",
                    ps -> ps.setLong(1, max - 1),
                    rs -> rs.getLong(1));
            return last.isEmpty() ? scope : scope.upTo(last.get(0));
        }
    }

    /** The query Spark reads a scope's open rows with: id, keyfields, and the order key as order_key. */
    public String openRowsSelect(RunScope scope) {
        StringBuilder select = new StringBuilder("SELECT id");
        for (Parameter p : db.config.keyfields()) {
            select.append(", ").append(p.name());
        }
        return select.append(", ")
                .append(ScopeSql.orderKey(scope))
                .append(" AS order_key FROM ")
                .append(db.table)
                .append(" WHERE status = ")
                .append(CREATED)
                .append(" AND (")
                .append(sql(scope))
                .append(")")
                .toString();
    }

    /**
     * The open rows of a scope as {@link #openRowsSelect} reads them (id, keyfields in config
     * order, order key), at most max of them: a small run reads them here rather than with a
     * Spark SQL job, whose start costs seconds.
     */
    public List<Object[]> openRowsList(RunScope scope, int max) {
        List<Parameter> keys = db.config.keyfields();
        return db.withConnection(
                "cannot read the open rows of " + db.table,
                c -> Jdbc.query(
                        c, openRowsSelect(scope) + " ORDER BY order_key LIMIT ?", ps -> ps.setInt(1, max), rs -> {
                            Object[] row = new Object[keys.size() + 2];
                            row[0] = rs.getLong("id");
                            for (int i = 0; i < keys.size(); i++) {
                                row[i + 1] = Values.read(
                                        rs, keys.get(i).name(), keys.get(i).type());
                            }
                            row[keys.size() + 1] = rs.getLong("order_key");
                            return row;
                        }));
    }

    /** The smallest and largest id of the table (an index lookup), or null when it is empty. */
    public long[] idRange() {
        List<long[]> r = db.withConnection(
                "cannot read the id range of " + db.table,
                c -> Jdbc.query(c, "SELECT MIN(id), MAX(id) FROM " + db.table, Jdbc.NO_PARAMETERS, rs -> {
                    long min = rs.getLong(1);
                    return rs.wasNull() ? null : new long[] {min, rs.getLong(2)};
                }));
        return r.isEmpty() ? null : r.get(0);
    }
}
