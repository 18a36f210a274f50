package org.experimenter.store;

import static org.experimenter.store.StatusLiterals.CREATED;
import static org.experimenter.store.StatusLiterals.ERROR;
import static org.experimenter.store.StatusLiterals.RUNNING;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.experimenter.Recovery;
import org.experimenter.store.dialect.TimestampText;

/**
 * Recovery of rows whose lease expired: running rows whose heartbeat is older than the lease
 * timeout go back to created while attempts remain, else end as errors of kind {@code lost}
 * saying where and when they were lost. Each row is updated under its own claim token and only
 * while its heartbeat is still old, so a row whose worker comes back to life in between is
 * left alone.
 *
 * <p>A lost claim of several rows charges none of them an attempt: its outcomes are written
 * together when it ends, so which row was running is not known. They go back to created
 * (outcome 'released') and each runs alone the next time (see {@link Claims#NEVER_RAN}), so a
 * row batched with an experiment that kills its executor is not used up with it, and the
 * experiment is charged once it takes its executor down alone.
 */
final class LeaseRecovery implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(LeaseRecovery.class.getName());
    /**
     * A row is lost when its last heartbeat is older than the lease its claim was taken with;
     * rows claimed before the lease was kept with the claim use the recovering config's.
     * Parameters: the database's time, then that fallback lease.
     */
    private static final String LOST =
            "status = " + RUNNING + " AND (heartbeat IS NULL OR heartbeat < ? - COALESCE(lease_ms, ?))";

    private static final String STILL_LOST = " WHERE id = ? AND claim_token = ? AND " + LOST;

    private final Database db;
    private final AttemptLog attempts;

    LeaseRecovery(Database db, AttemptLog attempts) {
        this.db = db;
        this.attempts = attempts;
    }

    /** The parameters of {@link #LOST}: the database's time and the fallback lease. */
    private record Lease(long now, long fallback) {}

    /** A running row whose heartbeat is older than the lease, and who held it. */
    private record LostRow(long id, int attempt, long heartbeat, Claim holder) {}

    Recovery recover() {
        long lease = db.config.leaseTimeout().toMillis();
        return db.withConnection("cannot recover lost rows of " + db.table, c -> {
            long now = db.databaseMillis(c);
            Lease deadline = new Lease(now, lease);
            List<LostRow> lost = Jdbc.query(
                    c,
                    "SELECT id, attempt, heartbeat, " + Claim.COLUMNS + " FROM " + db.table + " WHERE " + LOST
                            + " ORDER BY claim_token, id",
                    ps -> {
                        ps.setLong(1, now);
                        ps.setLong(2, lease);
                    },
                    rs -> new LostRow(rs.getLong(1), rs.getInt(2), rs.getLong(3), Claim.read(rs, 4)));
            Map<String, Integer> rowsOfClaim = new HashMap<>();
            for (LostRow r : lost) {
                rowsOfClaim.merge(String.valueOf(r.holder().token()), 1, Integer::sum);
            }
            int requeued = 0;
            int failed = 0;
            for (LostRow r : lost) {
                int together = rowsOfClaim.get(String.valueOf(r.holder().token()));
                if (together > 1) {
                    requeued += requeueUncharged(c, r, together, deadline) ? 1 : 0;
                } else {
                    Ending e = requeueOrFail(c, r, deadline);
                    requeued += e == Ending.REQUEUED ? 1 : 0;
                    failed += e == Ending.FAILED ? 1 : 0;
                }
            }
            return new Recovery(requeued, failed);
        });
    }

    private String when(LostRow r) {
        return TimestampText.format(Instant.ofEpochMilli(r.heartbeat()));
    }

    /** What became of a lost row; UNCHANGED when its holder came back to life meanwhile. */
    private enum Ending {
        REQUEUED,
        FAILED,
        UNCHANGED
    }

    /** A lost claim of one row: back to created while attempts remain, else error. */
    private Ending requeueOrFail(Connection c, LostRow r, Lease deadline) throws SQLException {
        Claim h = r.holder();
        String message = "lost: attempt " + r.attempt() + " of " + db.config.maxAttempts() + " held by executor "
                + h.executor() + " on " + h.machine() + " stopped sending heartbeats at " + when(r) + " UTC";
        boolean again = r.attempt() < db.config.maxAttempts();
        Instant now = db.now();
        int updated = Jdbc.inTransaction(c, conn -> {
            int n = again
                    ? Jdbc.update(
                            conn,
                            "UPDATE " + db.table + " SET status = " + CREATED + ", claim_token = NULL, heartbeat = NULL"
                                    + STILL_LOST,
                            ps -> {
                                ps.setLong(1, r.id());
                                ps.setString(2, h.token());
                                ps.setLong(3, deadline.now());
                                ps.setLong(4, deadline.fallback());
                            })
                    : Jdbc.update(
                            conn,
                            "UPDATE " + db.table + " SET status = " + ERROR + ", error_kind = 'lost', error = ?,"
                                    + " end_date = ?, heartbeat = NULL" + STILL_LOST,
                            ps -> {
                                ps.setString(1, message);
                                db.dialect.setTimestamp(ps, 2, now);
                                ps.setLong(3, r.id());
                                ps.setString(4, h.token());
                                ps.setLong(5, deadline.now());
                                ps.setLong(6, deadline.fallback());
                            });
            if (n == 1) {
                attempts.record(conn, r.id(), h, now, "lost", message);
            }
            return n;
        });
        if (updated != 1) {
            return Ending.UNCHANGED;
        }
        if (again) {
            LOG.warning(() -> "experiment " + r.id() + " of " + db.table + " " + message
                    + "; returned to created for attempt " + (r.attempt() + 1));
            return Ending.REQUEUED;
        }
        LOG.warning(
                () -> "experiment " + r.id() + " of " + db.table + " " + message + "; no attempts left, marked error");
        return Ending.FAILED;
    }

    private boolean requeueUncharged(Connection c, LostRow r, int together, Lease deadline) throws SQLException {
        Claim h = r.holder();
        String message = "not charged: one of " + together + " rows claimed together by executor " + h.executor()
                + " on " + h.machine() + ", which stopped sending heartbeats at " + when(r) + " UTC; which of them was"
                + " running is not known, so each runs alone next time";
        Instant now = db.now();
        int n = Jdbc.inTransaction(c, conn -> {
            int u = Jdbc.update(conn, "UPDATE " + db.table + " SET " + Claims.UNCHARGED_RETURN + STILL_LOST, ps -> {
                ps.setLong(1, r.id());
                ps.setString(2, h.token());
                ps.setLong(3, deadline.now());
                ps.setLong(4, deadline.fallback());
            });
            if (u == 1) {
                attempts.record(conn, r.id(), h, now, "released", message, 1);
            }
            return u;
        });
        if (n == 1) {
            LOG.warning(() -> "experiment " + r.id() + " of " + db.table + " " + message
                    + "; returned to created, no attempt used");
        }
        return n == 1;
    }
}
