package org.experimenter.store;

import static org.experimenter.store.StatusLiterals.CREATED;
import static org.experimenter.store.StatusLiterals.RUNNING;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.StringJoiner;
import org.experimenter.StoreException;
import org.experimenter.grid.Parameter;

/**
 * Claims, heartbeats and releases of experiment rows. The rules every database keeps:
 * <ul>
 *   <li>A claim is a guarded update: only rows still {@code created} become {@code running},
 *       under a token unique to the claim, with the attempt counted; what a claim holds is read
 *       back by its token, so two workers never hold one row.
 *   <li>A claim of several rows takes only rows that never ran (see {@link #NEVER_RAN}).
 *   <li>A running row's heartbeat is refreshed by its holder; a row whose heartbeat is older
 *       than the lease may be recovered by anyone ({@link LeaseRecovery}).
 *   <li>Every later write to the row is guarded by the token, so a worker that lost its lease
 *       cannot overwrite the row's new owner.
 * </ul>
 */
final class Claims implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * Rows that ran before run alone: a claim of several rows takes only rows that never ran.
     * The outcomes of a claim are written together when it ends, so when an executor dies the
     * table cannot tell which row of a lost claim was running; recovery then charges none of them
     * an attempt (see {@link LeaseRecovery}), and the next time each runs in a claim of its own,
     * where a row that takes its executor down again is charged for it.
     */
    static final String NEVER_RAN = "run_id IS NULL";

    /** Back to created without using up the attempt its claim counted. */
    static final String UNCHARGED_RETURN = "status = " + CREATED + ", claim_token = NULL, heartbeat = NULL,"
            + " start_date = NULL, attempt = CASE WHEN attempt > 0 THEN attempt - 1 ELSE 0 END";

    private static final String CLAIM_SET = "status = " + RUNNING + ", claim_token = ?, run_id = ?, executor = ?,"
            + " machine = ?, spark_app = ?, start_date = ?, end_date = NULL, heartbeat = ?, lease_ms = ?,"
            + " attempt = attempt + 1, error = NULL, error_kind = NULL";

    private final Database db;
    private final AttemptLog attempts;
    private final List<Parameter> keyfields;

    Claims(Database db, AttemptLog attempts) {
        this.db = db;
        this.attempts = attempts;
        this.keyfields = db.config.keyfields();
    }

    /** Binds the claim's columns; the heartbeat in the database's time, with this config's lease. */
    private int bindClaim(PreparedStatement ps, Claim claim, Instant now, long databaseMillis) throws SQLException {
        ps.setString(1, claim.token());
        ps.setString(2, claim.runId());
        ps.setString(3, claim.executor());
        ps.setString(4, claim.machine());
        ps.setString(5, claim.sparkApp());
        db.dialect.setTimestamp(ps, 6, now);
        ps.setLong(7, databaseMillis);
        ps.setLong(8, db.config.leaseTimeout().toMillis());
        return 9;
    }

    /** Those of the given ids whose rows are still created (a read: no claim, no lock). */
    java.util.Set<Long> openAmong(Connection c, List<Long> ids) throws SQLException {
        if (ids.isEmpty()) {
            return java.util.Set.of();
        }
        String marks = String.join(", ", Collections.nCopies(ids.size(), "?"));
        return new java.util.HashSet<>(Jdbc.query(
                c,
                "SELECT id FROM " + db.table + " WHERE status = " + CREATED + " AND id IN (" + marks + ")",
                ps -> {
                    int i = 1;
                    for (Long id : ids) {
                        ps.setLong(i++, id);
                    }
                },
                rs -> rs.getLong(1)));
    }

    /** Claims those of the given ids that are still created, in one transaction, and returns them. */
    List<ClaimedRow> claimIds(Connection c, List<Long> ids, Claim claim) throws SQLException {
        if (ids.isEmpty()) {
            return List.of();
        }
        return Jdbc.inTransaction(c, conn -> claimIdsInTransaction(conn, ids, claim));
    }

    /**
     * {@link #claimIds} in the transaction the caller holds (a promotion claiming the rows it
     * added); the rows without their keyfield values.
     */
    List<ClaimedRow> claimIdsInTransaction(Connection conn, List<Long> ids, Claim claim) throws SQLException {
        if (ids.isEmpty()) {
            return List.of();
        }
        Instant now = db.now();
        String marks = String.join(", ", Collections.nCopies(ids.size(), "?"));
        String sql = "UPDATE " + db.table + " SET " + CLAIM_SET + " WHERE status = " + CREATED + " AND id IN (" + marks
                + ")" + (ids.size() > 1 ? " AND " + NEVER_RAN : "");
        long databaseMillis = db.databaseMillis(conn);
        int updated = Jdbc.update(conn, sql, ps -> {
            int i = bindClaim(ps, claim, now, databaseMillis);
            for (Long id : ids) {
                ps.setLong(i++, id);
            }
        });
        List<ClaimedRow> claimed = Jdbc.query(
                conn,
                "SELECT id, experiment_class FROM " + db.table + " WHERE claim_token = ? AND status = " + RUNNING
                        + " ORDER BY id",
                ps -> ps.setString(1, claim.token()),
                rs -> new ClaimedRow(rs.getLong(1), null, rs.getString(2)));
        checkClaimCount(updated, claimed.size(), claim);
        return claimed;
    }

    /**
     * Claims up to {@code limit} created rows of a scope (null for any row), in the scope's order,
     * with their keyfield values, in one transaction. The claim
     * statement is the dialect's: PostgreSQL skips rows other transactions are claiming; SQLite
     * serializes writers, so the select and the guarded update in one transaction are enough.
     */
    List<ClaimedRow> claimNext(Connection c, int limit, RunScope scope, Claim claim) throws SQLException {
        return Jdbc.inTransaction(c, conn -> claimNextInTransaction(conn, limit, 0, scope, claim));
    }

    /**
     * {@link #claimNext} in the transaction the caller holds, for a claim that holds {@code held}
     * rows already (a promotion that fills its claim with new rows; a claim of several rows in
     * all takes only rows that never ran): every row the claim holds, those it held before among
     * them (where the dialect locks the rows first, none when it found none to lock).
     */
    List<ClaimedRow> claimNextInTransaction(Connection conn, int limit, int held, RunScope scope, Claim claim)
            throws SQLException {
        Instant now = db.now();
        long databaseMillis = db.databaseMillis(conn);
        String open = openQuery(held + limit > 1, scope);
        String lockingSelect = db.dialect.claimLockingSelect(open);
        if (lockingSelect != null) {
            return claimLocked(conn, limit, lockingSelect, claim, now, databaseMillis);
        }
        String sql = db.dialect.claimNextStatement(db.table, CLAIM_SET, open, "status = " + CREATED);
        int updated = Jdbc.update(conn, sql, ps -> ps.setInt(bindClaim(ps, claim, now, databaseMillis), limit));
        List<ClaimedRow> rows = claimedRows(conn, claim);
        checkClaimCount(updated, rows.size(), claim);
        if (updated > limit) {
            throw new StoreException("claim " + claim.token() + " on " + db.table + " took " + updated
                    + " rows, asked for at most " + limit + "; this is a bug");
        }
        return rows;
    }

    /** The rows a claim holds, in id order, the order the worker runs them in: recovery relies on it. */
    private List<ClaimedRow> claimedRows(Connection conn, Claim claim) throws SQLException {
        return Jdbc.query(
                conn,
                "SELECT id, experiment_class, " + keyList() + " FROM " + db.table
                        + " WHERE claim_token = ? AND status = " + RUNNING + " ORDER BY id",
                ps -> ps.setString(1, claim.token()),
                rs -> new ClaimedRow(rs.getLong("id"), readKeys(rs), rs.getString("experiment_class")));
    }

    /**
     * {@link #claimNextInTransaction} where the database cannot update the rows of a LIMIT
     * subquery (MySQL): the locking select takes the rows, skipping those other claims hold, and
     * the guarded update then claims exactly those ids. The rows are locked from the select to
     * the commit, so the update takes every one of them; anything else is a bug.
     */
    private List<ClaimedRow> claimLocked(
            Connection conn, int limit, String lockingSelect, Claim claim, Instant now, long databaseMillis)
            throws SQLException {
        List<Long> ids = Jdbc.query(conn, lockingSelect, ps -> ps.setInt(1, limit), rs -> rs.getLong(1));
        if (ids.isEmpty()) {
            return List.of();
        }
        String marks = String.join(", ", Collections.nCopies(ids.size(), "?"));
        int updated = Jdbc.update(
                conn,
                "UPDATE " + db.table + " SET " + CLAIM_SET + " WHERE id IN (" + marks + ") AND status = " + CREATED,
                ps -> {
                    int i = bindClaim(ps, claim, now, databaseMillis);
                    for (Long id : ids) {
                        ps.setLong(i++, id);
                    }
                });
        List<ClaimedRow> rows = claimedRows(conn, claim);
        checkClaimCount(updated, rows.size(), claim);
        if (updated != ids.size() || ids.size() > limit) {
            throw new StoreException("claim " + claim.token() + " on " + db.table + " locked " + ids.size()
                    + " rows (asked for at most " + limit + ") but updated " + updated + "; this is a bug");
        }
        return rows;
    }

    /** The ids of the next open rows a claim takes, the limit a parameter. */
    String nextOpenQuery(int limit, RunScope scope) {
        return openQuery(limit > 1, scope);
    }

    private String openQuery(boolean severalRows, RunScope scope) {
        return "SELECT id FROM " + db.table + " WHERE " + claimable(scope, severalRows) + " ORDER BY "
                + ScopeSql.orderKey(scope) + " LIMIT ?";
    }

    /**
     * How many rows of the scope a claim of several rows could take, counted up to cap: a read of
     * at most cap index entries.
     */
    long countOpen(Connection c, RunScope scope, int cap) throws SQLException {
        return Jdbc.query(
                        c,
                        "SELECT COUNT(*) FROM (SELECT 1 FROM " + db.table + " WHERE " + claimable(scope, true)
                                + " LIMIT ?) open_rows",
                        ps -> ps.setInt(1, cap),
                        rs -> rs.getLong(1))
                .get(0);
    }

    /** The rows a claim may take: created, of the scope (null: any), and for a claim of several rows never ran. */
    private String claimable(RunScope scope, boolean severalRows) {
        return "status = " + CREATED + (scope == null ? "" : " AND (" + ScopeSql.predicate(scope, db.dialect) + ")")
                + (severalRows ? " AND " + NEVER_RAN : "");
    }

    /**
     * A claim holds at least the rows it just updated. It may hold more when a worker repeats a
     * claim whose commit reached the database but whose answer was lost (a database restart):
     * the rows are then already running under this token, and they are this worker's.
     */
    private void checkClaimCount(int updated, int found, Claim claim) {
        if (updated > found) {
            throw new StoreException("claim " + claim.token() + " on " + db.table + " updated " + updated
                    + " rows but holds " + found + "; claim tokens must be unique, this is a bug");
        }
    }

    /** Refreshes the heartbeat (database time) of every running row held under the given claim tokens. */
    int heartbeat(Connection c, Collection<String> tokens) throws SQLException {
        if (tokens.isEmpty()) {
            return 0;
        }
        long now = db.databaseMillis(c);
        String marks = String.join(", ", Collections.nCopies(tokens.size(), "?"));
        return Jdbc.update(
                c,
                "UPDATE " + db.table + " SET heartbeat = ? WHERE status = " + RUNNING + " AND claim_token IN (" + marks
                        + ")",
                ps -> {
                    ps.setLong(1, now);
                    int i = 2;
                    for (String t : tokens) {
                        ps.setString(i++, t);
                    }
                });
    }

    /**
     * Returns rows held under a claim back to created (a worker stopping early), not counting
     * the attempt, and records the release in the attempts table. The rows of a claim of several
     * rows go back as rows that never ran, which they are ({@link #NEVER_RAN}: a claim of
     * several takes no other), so they are claimed with others again; the row of a claim of one
     * may have run before, lost with a claim of several, and keeps its mark to run alone.
     */
    int release(Connection c, Claim claim) throws SQLException {
        Instant now = db.now();
        return Jdbc.inTransaction(c, conn -> {
            List<Long> ids = Jdbc.query(
                    conn,
                    "SELECT id FROM " + db.table + " WHERE claim_token = ? AND status = " + RUNNING + " ORDER BY id",
                    ps -> ps.setString(1, claim.token()),
                    rs -> rs.getLong(1));
            for (Long id : ids) {
                attempts.record(conn, id, claim, now, "released", "released: the run was stopping");
            }
            // the claim's rows, those it finished among them (they keep its token)
            long claimed = Jdbc.query(
                            conn,
                            "SELECT COUNT(*) FROM " + db.table + " WHERE claim_token = ?",
                            ps -> ps.setString(1, claim.token()),
                            rs -> rs.getLong(1))
                    .get(0);
            return Jdbc.update(
                    conn,
                    "UPDATE " + db.table + " SET " + UNCHARGED_RETURN + (claimed > 1 ? ", run_id = NULL" : "")
                            + " WHERE claim_token = ? AND status = " + RUNNING,
                    ps -> ps.setString(1, claim.token()));
        });
    }

    /**
     * Returns every row a run holds back to created without charging the attempt (a run whose
     * job aborted), recording the release in the attempts table.
     */
    int releaseRun(Connection c, String runId) throws SQLException {
        Instant now = db.now();
        return Jdbc.inTransaction(c, conn -> {
            record Held(long id, Claim holder) {}
            List<Held> held = Jdbc.query(
                    conn,
                    "SELECT id, " + Claim.COLUMNS + " FROM " + db.table + " WHERE run_id = ? AND status = " + RUNNING
                            + " ORDER BY id",
                    ps -> ps.setString(1, runId),
                    rs -> new Held(rs.getLong(1), Claim.read(rs, 2)));
            for (Held h : held) {
                attempts.record(conn, h.id(), h.holder(), now, "released", "released: the run's job failed");
            }
            return Jdbc.update(
                    conn,
                    "UPDATE " + db.table + " SET " + UNCHARGED_RETURN + " WHERE run_id = ? AND status = " + RUNNING,
                    ps -> ps.setString(1, runId));
        });
    }

    private String keyList() {
        StringJoiner j = new StringJoiner(", ");
        for (Parameter p : keyfields) {
            j.add(p.name());
        }
        return j.toString();
    }

    private Object[] readKeys(ResultSet rs) throws SQLException {
        Object[] v = new Object[keyfields.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = Values.read(rs, keyfields.get(i).name(), keyfields.get(i).type());
        }
        return v;
    }
}
