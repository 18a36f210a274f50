package org.experimenter.store;

import static org.experimenter.store.StatusLiterals.ERROR;
import static org.experimenter.store.StatusLiterals.RUNNING;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import org.experimenter.FieldType;
import org.experimenter.Status;
import org.experimenter.StoreException;
import org.experimenter.grid.Parameter;

/**
 * The reads of the web view, each bounded so that it answers in well under a second on a
 * table of a million rows: a page of rows (filtered, sorted, LIMIT and OFFSET), filtered
 * counts, the error rows' first lines, the attempts table read forward from an id, the
 * running rows per run, one experiment's attempts and log rows.
 *
 * <p>What makes them fast, measured on the 1,000,000-row benchmark table: counts per status
 * and filters on status use the {@code (status, id)} index; the default order is the primary
 * key; any other order or filter is one scan with a top-N sort (about 0.1 s here, 0.3 s for a
 * page deep in a sorted result); the attempts table is only ever read forward from the last id
 * seen, on its primary key. No index was added for these reads.
 */
public final class PageReads implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The most rows one page may hold. */
    public static final int MAX_PAGE = 500;

    /** How much of the error text a page of rows carries (the row view has all of it). */
    static final int ERROR_PREVIEW = 300;

    /** Columns never shown: the claim token is the key to a running row's writes. */
    private static final Set<String> HIDDEN = Set.of("claim_token");

    private final Database db;
    private final RowReads reads;

    PageReads(Database db, RowReads reads) {
        this.db = db;
        this.reads = reads;
    }

    /** A page of rows and how many rows match in all. */
    public record Page(List<String> columns, List<Map<String, Object>> rows, long total) {}

    /** One error row as the failure groups need it: id, kind, the start and the end of its error text. */
    public record ErrorLine(long id, String kind, String errorStart, String errorEnd) {}

    /** One row of the attempts table. */
    public record Attempt(
            long id,
            long experimentId,
            int attempt,
            String runId,
            String sparkApp,
            String machine,
            String executor,
            Instant start,
            Instant end,
            String outcome,
            String error) {}

    /** The running rows of one run (run id and Spark application as the rows carry them). */
    public record Running(String runId, String sparkApp, long rows, Instant firstStart) {}

    /**
     * What the live overview looks at, read together: rows per status, the largest attempt id,
     * running rows per run.
     */
    public record TableState(Map<Status, Long> counts, long maxAttemptId, List<Running> running) {}

    /** The three reads of {@link TableState} on one connection. */
    public TableState look() {
        return db.withConnection(
                "cannot look at " + db.table, c -> new TableState(reads.counts(c), maxAttemptId(c), runningByRun(c)));
    }

    /** The columns a page shows, in table order. */
    public List<String> columns() {
        List<String> out = new ArrayList<>();
        for (String c : db.schema.columns().keySet()) {
            if (!HIDDEN.contains(c)) {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * A page of rows.
     *
     * @param statuses only rows of these statuses; empty for all
     * @param where a checked condition, or null
     * @param sort a column of {@link #columns()}; ties are broken by id in the same direction
     * @param descending the direction; rows without a value come last either way
     * @param knownTotal the number of matching rows when the caller knows it (the whole table's, from
     *     the counts per status it keeps), or null to count them
     */
    public Page page(
            Set<Status> statuses,
            Where where,
            String sort,
            boolean descending,
            long offset,
            int limit,
            Long knownTotal) {
        List<String> cols = columns();
        if (!cols.contains(sort)) {
            throw new StoreException("cannot sort by " + sort + ": no such column; the columns are " + cols);
        }
        if (limit < 1 || limit > MAX_PAGE || offset < 0) {
            throw new StoreException("a page holds 1 to " + MAX_PAGE + " rows from offset 0 on; got " + limit
                    + " rows from offset " + offset);
        }
        String condition = condition(statuses, where);
        // one connection for the count, the ids and the rows (a PostgreSQL connection costs a few ms)
        return db.withConnection("cannot read a page of " + db.table, c -> {
            long total = knownTotal != null ? knownTotal : count(c, condition);
            // a page in the second half is read from the other end: the last page by id is then the
            // first by id descending, an index walk of 50 entries instead of 999,950
            boolean fromEnd = offset > 0 && offset + limit / 2 > total / 2;
            long skip = fromEnd ? Math.max(0, total - offset - limit) : offset;
            long take = fromEnd ? Math.max(0, Math.min(limit, total - offset)) : limit;
            if (take == 0) {
                return new Page(cols, List.of(), total);
            }
            String dir = descending != fromEnd ? " DESC" : "";
            String nullsLast = notNull(sort)
                    ? ""
                    : "CASE WHEN " + sort + " IS NULL THEN 1 ELSE 0 END" + (fromEnd ? " DESC" : "") + ", ";
            String order = nullsLast + sort + dir + (sort.equals("id") ? "" : ", id" + dir);
            // the ids of the page first, then their rows: the sort carries two columns, not thirty
            List<Long> ids = Jdbc.query(
                    c,
                    "SELECT id FROM " + db.table + (condition == null ? "" : " WHERE " + condition) + " ORDER BY "
                            + order + " LIMIT ? OFFSET ?",
                    ps -> {
                        ps.setLong(1, take);
                        ps.setLong(2, skip);
                    },
                    rs -> rs.getLong(1));
            if (fromEnd) {
                java.util.Collections.reverse(ids);
            }
            return new Page(cols, rows(c, ids, true), total);
        });
    }

    /** How many rows match; with no condition, or statuses only, counted on the status index. */
    public long count(Set<Status> statuses, Where where) {
        return db.withConnection("cannot count rows of " + db.table, c -> count(c, condition(statuses, where)));
    }

    private long count(Connection c, String condition) throws SQLException {
        return Jdbc.query(
                        c,
                        "SELECT COUNT(*) FROM " + db.table + (condition == null ? "" : " WHERE " + condition),
                        Jdbc.NO_PARAMETERS,
                        rs -> rs.getLong(1))
                .get(0);
    }

    private String condition(Set<Status> statuses, Where where) {
        List<String> parts = new ArrayList<>();
        if (statuses != null && !statuses.isEmpty()) {
            StringJoiner in = new StringJoiner(", ", "status IN (", ")");
            for (Status s : statuses) {
                in.add(StatusLiterals.literal(s));
            }
            parts.add(in.toString());
        }
        if (where != null) {
            parts.add(WhereSql.of(where, db.dialect));
        }
        return parts.isEmpty() ? null : String.join(" AND ", parts);
    }

    private boolean notNull(String column) {
        return db.schema.columns().get(column).contains("NOT NULL") || column.equals("id");
    }

    /**
     * The error rows in id order, at most max, with the first and the last {@code chars}
     * characters of their error (a stack trace names its class first, a Python traceback last).
     */
    public List<ErrorLine> errorLines(int max, int chars) {
        // a positive start: SQLite counts a negative one from the end, PostgreSQL does not
        String tail = "SUBSTR(error, CASE WHEN LENGTH(error) > " + chars + " THEN LENGTH(error) - " + (chars - 1)
                + " ELSE 1 END)";
        return db.withConnection(
                "cannot read the error rows of " + db.table,
                c -> Jdbc.query(
                        c,
                        "SELECT id, error_kind, SUBSTR(error, 1, " + chars + "), " + tail + " FROM " + db.table
                                + " WHERE status = " + ERROR + " ORDER BY id LIMIT ?",
                        ps -> ps.setInt(1, max),
                        rs -> new ErrorLine(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4))));
    }

    /** Whole rows (every column but the claim token) of the given ids, in the order given. */
    public List<Map<String, Object>> rowsByIds(List<Long> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return db.withConnection("cannot read rows of " + db.table, c -> rows(c, ids, false));
    }

    /** The rows of the ids in their order; with preview, only the start of the error text. */
    private List<Map<String, Object>> rows(Connection c, List<Long> ids, boolean preview) throws SQLException {
        if (ids.isEmpty()) {
            return List.of();
        }
        List<String> cols = columns();
        StringJoiner select = new StringJoiner(", ");
        for (String col : cols) {
            select.add(preview && col.equals("error") ? "SUBSTR(error, 1, " + ERROR_PREVIEW + ") AS error" : col);
        }
        StringJoiner in = new StringJoiner(", ", "(", ")");
        ids.forEach(id -> in.add(Long.toString(id)));
        List<Map<String, Object>> found = Jdbc.query(
                c, "SELECT " + select + " FROM " + db.table + " WHERE id IN " + in, Jdbc.NO_PARAMETERS, rs -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    for (String col : cols) {
                        m.put(col, reads.readColumn(rs, col));
                    }
                    return m;
                });
        Map<Long, Map<String, Object>> byId = new java.util.HashMap<>();
        found.forEach(m -> byId.put((Long) m.get("id"), m));
        List<Map<String, Object>> out = new ArrayList<>();
        for (Long id : ids) {
            Map<String, Object> m = byId.get(id);
            if (m != null) {
                out.add(m);
            }
        }
        return out;
    }

    /** The attempts of one experiment, oldest first. */
    public List<Attempt> attemptsOf(long experimentId) {
        return attempts("experiment_id = ?", experimentId, Integer.MAX_VALUE);
    }

    /** Attempts with an id above afterId, in id order, at most limit: the table read forward. */
    public List<Attempt> attemptsAfter(long afterId, int limit) {
        return attempts("id > ?", afterId, limit);
    }

    private List<Attempt> attempts(String condition, long value, int limit) {
        String table = db.schema.attemptsTable();
        return db.withConnection(
                "cannot read " + table,
                c -> Jdbc.query(
                        c,
                        "SELECT id, experiment_id, attempt, run_id, spark_app, machine, executor, start_date, end_date,"
                                + " outcome, error FROM " + table + " WHERE " + condition + " ORDER BY id LIMIT ?",
                        ps -> {
                            ps.setLong(1, value);
                            ps.setInt(2, limit);
                        },
                        rs -> new Attempt(
                                rs.getLong(1),
                                rs.getLong(2),
                                rs.getInt(3),
                                rs.getString(4),
                                rs.getString(5),
                                rs.getString(6),
                                rs.getString(7),
                                db.dialect.getTimestamp(rs, "start_date"),
                                db.dialect.getTimestamp(rs, "end_date"),
                                rs.getString(10),
                                rs.getString(11))));
    }

    /**
     * The largest id of the attempts table (0 when empty), a primary-key lookup. Every finished,
     * lost or released attempt adds a row, so with the counts per status it tells whether the
     * results changed.
     */
    public long maxAttemptId() {
        return db.withConnection("cannot read " + db.schema.attemptsTable(), this::maxAttemptId);
    }

    private long maxAttemptId(Connection c) throws SQLException {
        return Jdbc.query(
                        c, "SELECT MAX(id) FROM " + db.schema.attemptsTable(), Jdbc.NO_PARAMETERS, rs -> rs.getLong(1))
                .get(0);
    }

    /** The running rows per run, found through the status index. */
    public List<Running> runningByRun() {
        return db.withConnection("cannot read the running rows of " + db.table, this::runningByRun);
    }

    private List<Running> runningByRun(Connection c) throws SQLException {
        return Jdbc.query(
                c,
                "SELECT run_id, spark_app, COUNT(*), MIN(start_date) AS start_date FROM " + db.table
                        + " WHERE status = " + RUNNING + " GROUP BY run_id, spark_app ORDER BY run_id",
                Jdbc.NO_PARAMETERS,
                rs -> new Running(
                        rs.getString(1), rs.getString(2), rs.getLong(3), db.dialect.getTimestamp(rs, "start_date")));
    }

    /**
     * The rows of a log table for one experiment, oldest first, at most limit: attempt,
     * timestamp and the declared columns.
     */
    public List<Map<String, Object>> logRows(String logtable, long experimentId, int limit) {
        Map<String, FieldType> cols = db.config.logtables().get(logtable);
        if (cols == null) {
            throw new StoreException("no log table '" + logtable + "' declared in " + db.config.origin());
        }
        String name = db.schema.logTable(logtable);
        return db.withConnection(
                "cannot read log table " + name,
                c -> Jdbc.query(
                        c,
                        "SELECT * FROM " + name + " WHERE experiment_id = ? ORDER BY id LIMIT ?",
                        ps -> {
                            ps.setLong(1, experimentId);
                            ps.setInt(2, limit);
                        },
                        rs -> {
                            Map<String, Object> m = new LinkedHashMap<>();
                            m.put("attempt", Values.read(rs, "attempt", FieldType.INT));
                            m.put("timestamp", db.dialect.getTimestamp(rs, "timestamp"));
                            for (Map.Entry<String, FieldType> e : cols.entrySet()) {
                                m.put(e.getKey(), Values.read(rs, e.getKey(), e.getValue()));
                            }
                            return m;
                        }));
    }

    /** The declared type of a column of the experiment table, or null for a built-in one. */
    public FieldType declaredType(String column) {
        Parameter p = db.config.keyfield(column);
        return p != null ? p.type() : db.config.resultfields().get(column);
    }
}
