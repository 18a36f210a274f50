package org.experimenter.store;

import static org.experimenter.store.StatusLiterals.CREATED;
import static org.experimenter.store.StatusLiterals.PAUSED;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import org.experimenter.FieldType;
import org.experimenter.Status;
import org.experimenter.StoreException;
import org.experimenter.grid.Parameter;

/**
 * What users do to rows between runs: reset them to created, unpause them, look them up by
 * id or by keyfield values. Ids and the attempts table are always kept.
 */
public final class RowAdmin implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Ids bound in one statement: far below every database's limit on parameters. */
    private static final int IDS_PER_STATEMENT = 1000;

    private final Database db;

    private final boolean keepArtifacts;

    RowAdmin(Database db) {
        this(db, false);
    }

    /** keepArtifacts: resets leave the rows' artifact folders and their listings in place. */
    RowAdmin(Database db, boolean keepArtifacts) {
        this.db = db;
        this.keepArtifacts = keepArtifacts;
    }

    public int reset(Set<Status> statuses) {
        if (statuses.isEmpty()) {
            return 0;
        }
        StringJoiner in = new StringJoiner(", ", "status IN (", ")");
        for (Status s : statuses) {
            in.add(StatusLiterals.literal(s));
        }
        return resetWhere(in.toString());
    }

    public int resetIds(List<Long> ids) {
        requireIds(ids);
        return resetWhere(idList(ids));
    }

    /**
     * Returns rows matching an SQL condition to created, clearing results, errors and resources,
     * and deletes their log-table rows (the log of results that are gone; the attempts table keeps
     * the history). A worker still running one of these rows can no longer write it or its log (its
     * claim is cleared).
     */
    public int resetWhere(Where condition) {
        return resetWhere(WhereSql.of(condition, db.dialect));
    }

    /**
     * Resets those of the ids whose status is still {@code expected} and leaves the others as they
     * are: a page shows rows as they were at its last look, and a row that has finished since keeps
     * its result. Ids and status are bound, in statements of at most {@value #IDS_PER_STATEMENT}
     * ids, each in a transaction of its own. Returns the number of rows reset.
     */
    public int resetIds(List<Long> ids, Status expected) {
        int n = 0;
        for (int i = 0; i < ids.size(); i += IDS_PER_STATEMENT) {
            List<Long> chunk = ids.subList(i, Math.min(ids.size(), i + IDS_PER_STATEMENT));
            StringJoiner in = new StringJoiner(", ", "id IN (", ")");
            chunk.forEach(id -> in.add("?"));
            n += reset(in + " AND status = ?", "with " + chunk.size() + " ids and status " + expected.dbName(), ps -> {
                int p = 1;
                for (Long id : chunk) {
                    ps.setLong(p++, id);
                }
                ps.setString(p, expected.dbName());
            });
        }
        return n;
    }

    int resetWhere(String condition) {
        return reset(condition, "where " + condition, Jdbc.NO_PARAMETERS);
    }

    /** Resets the rows of a condition whose parameters the binder binds; what names them in an error. */
    private int reset(String condition, String what, Jdbc.Binder binder) {
        StringBuilder set = new StringBuilder("status = " + CREATED + ", start_date = NULL, end_date = NULL,"
                + " machine = NULL, error = NULL, error_kind = NULL, attempt = 0, run_id = NULL, spark_app = NULL,"
                + " executor = NULL, claim_token = NULL, heartbeat = NULL, wall_time = NULL, cpu_time = NULL,"
                + " allocated_bytes = NULL, experiment_class = NULL,"
                // a promoted row keeps its mark: it has its child, and a cut counts it among the rung's slots
                + " halving = CASE WHEN halving = '" + Halving.PROMOTED + "' THEN halving ELSE NULL END");
        for (String r : db.config.resultfields().keySet()) {
            set.append(", ").append(r).append(" = NULL");
            if (db.config.resultTimestamps()) {
                set.append(", ").append(r).append("_timestamp = NULL");
            }
        }
        String sql = "UPDATE " + db.table + " SET " + set + " WHERE " + condition;
        List<Long> withArtifacts = new ArrayList<>();
        int n = db.withConnection(
                "cannot reset rows of " + db.table + " " + what,
                c -> Jdbc.inTransaction(c, conn -> {
                    for (String log : db.config.logtables().keySet()) {
                        Jdbc.update(
                                conn,
                                "DELETE FROM " + db.schema.logTable(log) + " WHERE experiment_id IN (SELECT id FROM "
                                        + db.table + " WHERE " + condition + ")",
                                binder);
                    }
                    withArtifacts.clear();
                    if (!keepArtifacts) {
                        withArtifacts.addAll(ArtifactRows.deleteWhere(db, conn, condition, binder));
                    }
                    return Jdbc.update(conn, sql, binder);
                }));
        if (db.config.artifactRoot() != null && !withArtifacts.isEmpty()) {
            db.config.artifactRoot().removeRows(db.table, withArtifacts);
        }
        return n;
    }

    /**
     * Returns paused rows (all, or the given ids) to created, keeping their results, optionally
     * with another experiment class for their next run; they are claimed in batches again like
     * rows that never ran. Returns the number of rows.
     */
    public int unpause(List<Long> ids, String experimentClass) {
        String where = "status = " + PAUSED;
        if (!ids.isEmpty()) {
            requireIds(ids);
            where += " AND " + idList(ids);
        }
        String sql = "UPDATE " + db.table + " SET status = " + CREATED + ", claim_token = NULL, heartbeat = NULL,"
                + " attempt = 0, run_id = NULL, experiment_class = ? WHERE " + where;
        String cls = experimentClass == null || experimentClass.isEmpty() ? null : experimentClass;
        return db.withConnection(
                "cannot unpause rows of " + db.table, c -> Jdbc.update(c, sql, ps -> ps.setString(1, cls)));
    }

    /** Throws naming every id the table does not have. */
    void requireIds(List<Long> ids) {
        List<Long> missing = missingIds(ids);
        if (!missing.isEmpty()) {
            throw new StoreException("table " + db.table + " has no experiment with id "
                    + (missing.size() == 1 ? missing.get(0) : missing));
        }
    }

    /** Those of the ids the table does not have, in the order given. */
    public List<Long> missingIds(List<Long> ids) {
        return db.withConnection("cannot look up ids in " + db.table, c -> {
            List<Long> missing = new ArrayList<>();
            for (Long id : ids) {
                if (Jdbc.query(c, "SELECT 1 FROM " + db.table + " WHERE id = ?", ps -> ps.setLong(1, id), rs -> 1)
                        .isEmpty()) {
                    missing.add(id);
                }
            }
            return missing;
        });
    }

    /** The condition {@code id IN (...)} for the given ids. */
    static String idList(List<Long> ids) {
        StringJoiner in = new StringJoiner(", ", "id IN (", ")");
        for (Long id : ids) {
            in.add(Long.toString(id));
        }
        return in.toString();
    }

    /** The id of the row with these keyfield values (in keyfield order), or null. */
    Long idOf(Object[] keys) {
        List<Parameter> keyfields = db.config.keyfields();
        StringJoiner where = new StringJoiner(" AND ");
        for (Parameter p : keyfields) {
            where.add(p.name() + " = ?");
        }
        List<Long> ids = db.withConnection(
                "cannot look up a row of " + db.table,
                c -> Jdbc.query(
                        c,
                        "SELECT id FROM " + db.table + " WHERE " + where,
                        ps -> {
                            for (int i = 0; i < keys.length; i++) {
                                FieldType type = keyfields.get(i).type();
                                Values.bind(ps, i + 1, type, type.coerce(keys[i]));
                            }
                        },
                        rs -> rs.getLong(1)));
        return ids.isEmpty() ? null : ids.get(0);
    }
}
