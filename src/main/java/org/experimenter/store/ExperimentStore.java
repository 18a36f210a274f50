package org.experimenter.store;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.StringJoiner;
import java.util.logging.Logger;
import org.experimenter.FieldType;
import org.experimenter.Recovery;
import org.experimenter.Status;
import org.experimenter.StoreException;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.grid.Parameter;
import org.experimenter.store.dialect.Dialect;
import org.experimenter.store.dialect.Redact;
import org.experimenter.store.dialect.SqliteDialect;

/**
 * The experiment table: one row per experiment. Creates and fills it, claims rows for
 * workers with guarded updates, records results and errors, resets and recovers rows.
 * Serializable so that executors can rebuild it; it holds no open connection itself.
 */
public final class ExperimentStore implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = Logger.getLogger(ExperimentStore.class.getName());
  private static final int FILL_BATCH = 5_000;

  private final ExperimentConfig config;
  private final Dialect dialect;
  private final String table;
  private final List<Parameter> keyfields;
  private final Map<String, FieldType> resultfields;
  private final Schema schema;
  private Clock clock = Clock.systemUTC();

  public ExperimentStore(ExperimentConfig config) {
    this.config = config;
    this.dialect = Dialect.forUrl(config.url());
    this.table = config.table();
    this.keyfields = config.keyfields();
    this.resultfields = new LinkedHashMap<>(config.resultfields());
    this.schema = new Schema(config, dialect);
  }

  /** Replaces the clock (tests move time forward instead of sleeping). */
  public ExperimentStore withClock(Clock clock) {
    this.clock = clock;
    return this;
  }

  public Instant now() {
    return clock.instant();
  }

  public ExperimentConfig config() {
    return config;
  }

  public Dialect dialect() {
    return dialect;
  }

  public String table() {
    return table;
  }

  /** A new connection, auto-commit on; the caller closes it. Errors name the redacted URL. */
  public Connection connect() {
    dialect.prepare(config.url());
    Properties p = dialect.connectionProperties();
    if (!config.user().isEmpty()) {
      p.setProperty("user", config.user());
    }
    if (!config.password().isEmpty()) {
      p.setProperty("password", config.password());
    }
    try {
      Connection c = DriverManager.getConnection(config.url(), p);
      dialect.configure(c);
      return c;
    } catch (SQLException e) {
      throw new StoreException(
          "cannot connect to " + Redact.url(config.url()) + ": " + clean(e.getMessage()), cleanCause(e));
    }
  }

  // ---- schema -----------------------------------------------------------------------------

  /** The column names of the table in order, as this config expects them. */
  public List<String> expectedColumns() {
    return new ArrayList<>(schema.columns().keySet());
  }

  public Schema schema() {
    return schema;
  }

  /** Creates the tables and indexes when missing; checks an existing table's columns. */
  public void createTableIfMissing() {
    try (Connection c = connect()) {
      boolean existed = tableExists(c);
      if (existed) {
        verifyColumns(c);
      }
      Jdbc.inTransaction(
          c,
          conn -> {
            try (Statement s = conn.createStatement()) {
              for (String ddl : schema.createStatements()) {
                s.execute(ddl);
              }
            }
            return null;
          });
      if (!existed) {
        LOG.info(() -> "created table " + table + " in " + dialect.name());
      }
    } catch (SQLException e) {
      throw failure("cannot create table " + table, e);
    }
  }

  public boolean tableExists() {
    try (Connection c = connect()) {
      return tableExists(c);
    } catch (SQLException e) {
      throw failure("cannot look up table " + table, e);
    }
  }

  private boolean tableExists(Connection c) throws SQLException {
    return !columnsOf(c).isEmpty();
  }

  private List<String> columnsOf(Connection c) throws SQLException {
    DatabaseMetaData md = c.getMetaData();
    List<String> cols = new ArrayList<>();
    try (ResultSet rs = md.getColumns(null, null, table, null)) {
      while (rs.next()) {
        cols.add(rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
      }
    }
    return cols;
  }

  /** Throws naming the differences when the existing table does not match this config. */
  public void verifyColumns(Connection c) throws SQLException {
    Set<String> actual = new LinkedHashSet<>(columnsOf(c));
    Set<String> expected = new LinkedHashSet<>(expectedColumns());
    if (actual.equals(expected)) {
      return;
    }
    Set<String> missing = new LinkedHashSet<>(expected);
    missing.removeAll(actual);
    Set<String> extra = new LinkedHashSet<>(actual);
    extra.removeAll(expected);
    throw new StoreException(
        "table "
            + table
            + " exists but its columns differ from "
            + config.origin()
            + ": missing "
            + (missing.isEmpty() ? "none" : String.join(", ", missing))
            + "; not in the config "
            + (extra.isEmpty() ? "none" : String.join(", ", extra))
            + ". Use another table name, or drop the table if its rows are not needed.");
  }

  /** Drops the table; returns false when there was none. */
  public boolean drop() {
    try (Connection c = connect()) {
      if (!tableExists(c)) {
        return false;
      }
      Jdbc.inTransaction(
          c,
          conn -> {
            try (Statement s = conn.createStatement()) {
              for (String t : schema.allTablesDependentsFirst()) {
                s.execute("DROP TABLE IF EXISTS " + t);
              }
            }
            return null;
          });
      return true;
    } catch (SQLException e) {
      throw failure("cannot drop table " + table, e);
    }
  }

  // ---- filling ----------------------------------------------------------------------------

  /**
   * Inserts the given keyfield combinations (values in keyfield order), skipping those the
   * table already has; the UNIQUE constraint decides, so concurrent fills never duplicate.
   * Returns the number of new rows.
   */
  public long fill(Iterator<Object[]> rows) {
    try (Connection c = connect()) {
      c.setAutoCommit(false);
      try {
        long inserted =
            dialect.arrayElementType(FieldType.INT) != null ? fillWithArrays(c, rows) : fillWithBatches(c, rows);
        c.commit();
        return inserted;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw failure("cannot fill table " + table, e);
    }
  }

  private Object[] checkedRow(Object[] row, long n) {
    if (row.length != keyfields.size()) {
      throw new StoreException("row " + n + " has " + row.length + " values; expected " + keyfields.size());
    }
    Object[] out = new Object[row.length];
    for (int i = 0; i < row.length; i++) {
      Parameter p = keyfields.get(i);
      try {
        out[i] = p.type().coerce(row[i]);
      } catch (IllegalArgumentException e) {
        throw new StoreException("row " + n + ": keyfield " + p.name() + ": " + e.getMessage());
      }
      if (out[i] == null) {
        throw new StoreException("row " + n + ": keyfield " + p.name() + " has no value");
      }
    }
    return out;
  }

  private long fillWithBatches(Connection c, Iterator<Object[]> rows) throws SQLException {
    StringJoiner cols = new StringJoiner(", ");
    StringJoiner marks = new StringJoiner(", ");
    for (Parameter p : keyfields) {
      cols.add(p.name());
      marks.add("?");
    }
    cols.add("status").add("creation_date");
    marks.add("'created'").add("?");
    String sql = dialect.insertIgnoringDuplicates(table, cols.toString(), marks.toString());
    long inserted = 0;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      int pending = 0;
      long n = 0;
      Instant now = now();
      while (rows.hasNext()) {
        Object[] row = checkedRow(rows.next(), ++n);
        for (int i = 0; i < row.length; i++) {
          bind(ps, i + 1, keyfields.get(i).type(), row[i]);
        }
        dialect.setTimestamp(ps, row.length + 1, now);
        ps.addBatch();
        if (++pending == FILL_BATCH) {
          inserted += sum(ps.executeBatch());
          pending = 0;
        }
      }
      if (pending > 0) {
        inserted += sum(ps.executeBatch());
      }
    }
    return inserted;
  }

  /** One statement per chunk: INSERT ... SELECT FROM unnest(one array per keyfield). */
  private long fillWithArrays(Connection c, Iterator<Object[]> rows) throws SQLException {
    StringJoiner cols = new StringJoiner(", ");
    StringJoiner arrays = new StringJoiner(", ");
    for (Parameter p : keyfields) {
      cols.add(p.name());
      arrays.add("?::" + dialect.arrayElementType(p.type()) + "[]");
    }
    String sql =
        "INSERT INTO " + table + " (" + cols + ", status, creation_date) SELECT u.*, 'created', ? FROM unnest("
            + arrays + ") AS u ON CONFLICT DO NOTHING";
    int k = keyfields.size();
    long inserted = 0;
    long n = 0;
    Instant now = now();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      List<Object[]> chunk = new ArrayList<>(FILL_BATCH);
      while (rows.hasNext() || !chunk.isEmpty()) {
        if (rows.hasNext()) {
          chunk.add(checkedRow(rows.next(), ++n));
          if (chunk.size() < FILL_BATCH && rows.hasNext()) {
            continue;
          }
        }
        dialect.setTimestamp(ps, 1, now);
        for (int i = 0; i < k; i++) {
          Object[] column = new Object[chunk.size()];
          for (int r = 0; r < column.length; r++) {
            column[r] = chunk.get(r)[i];
          }
          ps.setArray(i + 2, c.createArrayOf(dialect.arrayElementType(keyfields.get(i).type()), column));
        }
        inserted += ps.executeUpdate();
        chunk.clear();
      }
    }
    return inserted;
  }

  private static long sum(int[] counts) {
    long n = 0;
    for (int k : counts) {
      if (k < 0) {
        throw new IllegalStateException("the driver reported no row count (" + k + ") for a fill batch; this is a bug");
      }
      n += k;
    }
    return n;
  }

  // ---- reading ----------------------------------------------------------------------------

  /** Row counts per status (every status present, zero where none). */
  public Map<Status, Long> counts() {
    Map<Status, Long> out = new EnumMap<>(Status.class);
    for (Status s : Status.values()) {
      out.put(s, 0L);
    }
    try (Connection c = connect()) {
      for (Object[] r :
          Jdbc.query(
              c,
              "SELECT status, COUNT(*) FROM " + table + " GROUP BY status",
              Jdbc.NO_PARAMETERS,
              rs -> new Object[] {rs.getString(1), rs.getLong(2)})) {
        out.put(Status.parse((String) r[0]), (Long) r[1]);
      }
    } catch (SQLException e) {
      throw failure("cannot count rows of " + table, e);
    }
    return out;
  }

  /** One row as a map of column name to value (tests, run-one, attach). */
  public Map<String, Object> row(long id) {
    try (Connection c = connect()) {
      List<Map<String, Object>> rows =
          Jdbc.query(c, "SELECT * FROM " + table + " WHERE id = ?", ps -> ps.setLong(1, id), this::toMap);
      if (rows.isEmpty()) {
        throw new StoreException("table " + table + " has no experiment with id " + id);
      }
      return rows.get(0);
    } catch (SQLException e) {
      throw failure("cannot read experiment " + id + " of " + table, e);
    }
  }

  /** Every row, ordered by id, as maps (small tables: tests and tools). */
  public List<Map<String, Object>> rows() {
    try (Connection c = connect()) {
      return Jdbc.query(c, "SELECT * FROM " + table + " ORDER BY id", Jdbc.NO_PARAMETERS, this::toMap);
    } catch (SQLException e) {
      throw failure("cannot read " + table, e);
    }
  }

  private Map<String, Object> toMap(ResultSet rs) throws SQLException {
    Map<String, Object> m = new LinkedHashMap<>();
    java.sql.ResultSetMetaData md = rs.getMetaData();
    for (int i = 1; i <= md.getColumnCount(); i++) {
      String col = md.getColumnName(i).toLowerCase(Locale.ROOT);
      m.put(col, readColumn(rs, col));
    }
    return m;
  }

  /** A column's value in its Java type: keyfields and results as declared, timestamps as Instant. */
  private Object readColumn(ResultSet rs, String col) throws SQLException {
    Parameter p = config.keyfield(col);
    if (p != null) {
      return read(rs, col, p.type());
    }
    if (resultfields.containsKey(col)) {
      return read(rs, col, resultfields.get(col));
    }
    switch (col) {
      case "creation_date":
      case "start_date":
      case "end_date":
        return dialect.getTimestamp(rs, col);
      case "id":
      case "heartbeat":
      case "allocated_bytes":
        return read(rs, col, FieldType.LONG);
      case "attempt":
        return read(rs, col, FieldType.INT);
      case "wall_time":
      case "cpu_time":
        return read(rs, col, FieldType.DOUBLE);
      default:
        if (col.endsWith("_timestamp") && resultfields.containsKey(col.substring(0, col.length() - "_timestamp".length()))) {
          return dialect.getTimestamp(rs, col);
        }
        return rs.getObject(col);
    }
  }

  /** The attempts of one experiment, oldest first. */
  public List<Map<String, Object>> attempts(long id) {
    try (Connection c = connect()) {
      return Jdbc.query(
          c,
          "SELECT attempt, run_id, spark_app, machine, executor, outcome, error FROM " + schema.attemptsTable()
              + " WHERE experiment_id = ? ORDER BY id",
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
            return m;
          });
    } catch (SQLException e) {
      throw failure("cannot read the attempts of experiment " + id + " of " + table, e);
    }
  }

  /** Rows of a log table for one experiment, oldest first, as maps of the declared columns. */
  public List<Map<String, Object>> logRows(String logtable, long experimentId) {
    Map<String, FieldType> cols = config.logtables().get(logtable);
    if (cols == null) {
      throw new StoreException("no log table '" + logtable + "' declared in " + config.origin());
    }
    try (Connection c = connect()) {
      return Jdbc.query(
          c,
          "SELECT * FROM " + schema.logTable(logtable) + " WHERE experiment_id = ? ORDER BY id",
          ps -> ps.setLong(1, experimentId),
          rs -> {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Map.Entry<String, FieldType> e : cols.entrySet()) {
              m.put(e.getKey(), read(rs, e.getKey(), e.getValue()));
            }
            return m;
          });
    } catch (SQLException e) {
      throw failure("cannot read log table " + schema.logTable(logtable), e);
    }
  }

  /** Smallest and largest id among created rows, or null when there is none. */
  public long[] openIdBounds(String predicate) {
    String where = "status = 'created'" + (predicate == null ? "" : " AND (" + predicate + ")");
    try (Connection c = connect()) {
      List<long[]> r =
          Jdbc.query(
              c,
              "SELECT MIN(id), MAX(id), COUNT(*) FROM " + table + " WHERE " + where,
              Jdbc.NO_PARAMETERS,
              rs -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)});
      return r.get(0)[2] == 0 ? null : r.get(0);
    } catch (SQLException e) {
      throw failure("cannot read open rows of " + table, e);
    }
  }

  /** Whether a created row matches the predicate (a read; claims take the write lock). */
  public boolean hasOpen(Connection c, String predicate) throws SQLException {
    return !Jdbc.query(c, hasOpenQuery(predicate), Jdbc.NO_PARAMETERS, rs -> 1).isEmpty();
  }

  String hasOpenQuery(String predicate) {
    return "SELECT 1 FROM " + table + " WHERE status = 'created' AND (" + predicate + ") LIMIT 1";
  }

  /**
   * The open rows of a scope that ran before: released by a stopped run, or recovered from a
   * lost executor. A partial index holds just these, so looking for them takes well under a
   * millisecond among a million open rows.
   */
  public static String returned(String scope) {
    return "(" + scope + ") AND run_id IS NOT NULL";
  }

  /**
   * Rows that ran before run alone: a claim of several rows takes only rows that never ran.
   * The outcomes of a claim are written together when it ends, so when an executor dies the
   * table cannot tell which row of a lost claim was running; recovery then charges none of them
   * an attempt (see {@link #recover()}), and the next time each runs in a claim of its own, where
   * a row that takes its executor down again is charged for it.
   */
  private static final String NEVER_RAN = "run_id IS NULL";

  /** Back to created without using up the attempt its claim counted. */
  private static final String UNCHARGED_RETURN =
      "status = 'created', claim_token = NULL, heartbeat = NULL, start_date = NULL, attempt = CASE WHEN attempt > 0 THEN attempt - 1 ELSE 0 END";

  // ---- claiming and completing ------------------------------------------------------------

  private String claimSet() {
    return "status = 'running', claim_token = ?, run_id = ?, executor = ?, machine = ?, spark_app = ?,"
        + " start_date = ?, end_date = NULL, heartbeat = ?, attempt = attempt + 1,"
        + " error = NULL, error_kind = NULL";
  }

  private int bindClaim(PreparedStatement ps, Claim claim, Instant now) throws SQLException {
    ps.setString(1, claim.token());
    ps.setString(2, claim.runId());
    ps.setString(3, claim.executor());
    ps.setString(4, claim.machine());
    ps.setString(5, claim.sparkApp());
    dialect.setTimestamp(ps, 6, now);
    ps.setLong(7, now.toEpochMilli());
    return 8;
  }

  /**
   * Claims those of the given ids that are still created, in one transaction, and returns
   * them. Rows another worker holds are skipped: the update is guarded by status. A claim of
   * several rows skips rows that ran before as well: they run alone (see NEVER_RAN).
   */
  public List<ClaimedRow> claimIds(Connection c, List<Long> ids, Claim claim) throws SQLException {
    if (ids.isEmpty()) {
      return List.of();
    }
    Instant now = now();
    String marks = String.join(", ", java.util.Collections.nCopies(ids.size(), "?"));
    return Jdbc.inTransaction(
        c,
        conn -> {
          int updated =
              Jdbc.update(
                  conn,
                  "UPDATE " + table + " SET " + claimSet() + " WHERE status = 'created' AND id IN (" + marks + ")"
                      + (ids.size() > 1 ? " AND " + NEVER_RAN : ""),
                  ps -> {
                    int i = bindClaim(ps, claim, now);
                    for (Long id : ids) {
                      ps.setLong(i++, id);
                    }
                  });
          List<ClaimedRow> claimed =
              Jdbc.query(
                  conn,
                  "SELECT id, experiment_class FROM " + table + " WHERE claim_token = ? AND status = 'running' ORDER BY id",
                  ps -> ps.setString(1, claim.token()),
                  rs -> new ClaimedRow(rs.getLong(1), null, rs.getString(2)));
          checkClaimCount(updated, claimed.size(), claim);
          return claimed;
        });
  }

  /**
   * Claims up to {@code limit} created rows matching an optional predicate over keyfields
   * and ids, in id order, and returns them with their keyfield values; with a limit above one,
   * only rows that never ran (see NEVER_RAN). PostgreSQL does it in
   * one statement that skips rows other transactions are claiming; SQLite serializes writers,
   * so a select and a guarded update in one IMMEDIATE transaction are enough.
   */
  public List<ClaimedRow> claimNext(Connection c, int limit, String predicate, String orderBy, Claim claim)
      throws SQLException {
    Instant now = now();
    String next = nextOpenQuery(limit, predicate, orderBy);
    return Jdbc.inTransaction(
        c,
        conn -> {
          int updated;
          if (dialect.supportsSkipLocked()) {
            // ARRAY(...) makes the locking subquery an init plan that runs once. With
            // "id IN (SELECT ... LIMIT n FOR UPDATE SKIP LOCKED)" PostgreSQL may plan a semi join
            // that runs the subquery again for every candidate row and claims far more than n.
            updated =
                Jdbc.update(
                    conn,
                    "UPDATE " + table + " SET " + claimSet() + " WHERE id = ANY(ARRAY(" + next + " FOR UPDATE SKIP LOCKED)) AND status = 'created'",
                    ps -> ps.setInt(bindClaim(ps, claim, now), limit));
          } else {
            updated =
                Jdbc.update(
                    conn,
                    "UPDATE " + table + " SET " + claimSet() + " WHERE id IN (" + next + ") AND status = 'created'",
                    ps -> ps.setInt(bindClaim(ps, claim, now), limit));
          }
          List<ClaimedRow> rows =
              Jdbc.query(
                  conn,
                  // id order, the order the worker runs them in: recover() relies on it
                  "SELECT id, experiment_class, " + keyList() + " FROM " + table + " WHERE claim_token = ? AND status = 'running' ORDER BY id",
                  ps -> ps.setString(1, claim.token()),
                  rs -> new ClaimedRow(rs.getLong("id"), readKeys(rs), rs.getString("experiment_class")));
          checkClaimCount(updated, rows.size(), claim);
          if (updated > limit) {
            throw new StoreException(
                "claim " + claim.token() + " on " + table + " took " + updated + " rows, asked for at most " + limit + "; this is a bug");
          }
          return rows;
        });
  }

  /** The ids of the next open rows a claim takes, the limit a parameter. */
  String nextOpenQuery(int limit, String predicate, String orderBy) {
    String where = "status = 'created'" + (predicate == null ? "" : " AND (" + predicate + ")") + (limit > 1 ? " AND " + NEVER_RAN : "");
    return "SELECT id FROM " + table + " WHERE " + where + " ORDER BY " + (orderBy == null ? "id" : orderBy) + " LIMIT ?";
  }

  /**
   * A claim holds at least the rows it just updated. It may hold more when a worker repeats a
   * claim whose commit reached the database but whose answer was lost (a database restart):
   * the rows are then already running under this token, and they are this worker's.
   */
  private void checkClaimCount(int updated, int found, Claim claim) {
    if (updated > found) {
      throw new StoreException(
          "claim " + claim.token() + " on " + table + " updated " + updated + " rows but holds " + found
              + "; claim tokens must be unique, this is a bug");
    }
  }

  private List<Long> claimedIds(Connection c, Claim claim) throws SQLException {
    return Jdbc.query(
        c,
        "SELECT id FROM " + table + " WHERE claim_token = ? AND status = 'running' ORDER BY id",
        ps -> ps.setString(1, claim.token()),
        rs -> rs.getLong(1));
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
      v[i] = read(rs, keyfields.get(i).name(), keyfields.get(i).type());
    }
    return v;
  }

  /** Refreshes the heartbeat of every running row held under the given claim tokens. */
  public int heartbeat(Connection c, Collection<String> tokens) throws SQLException {
    if (tokens.isEmpty()) {
      return 0;
    }
    long now = now().toEpochMilli();
    String marks = String.join(", ", java.util.Collections.nCopies(tokens.size(), "?"));
    return Jdbc.update(
        c,
        "UPDATE " + table + " SET heartbeat = ? WHERE status = 'running' AND claim_token IN (" + marks + ")",
        ps -> {
          ps.setLong(1, now);
          int i = 2;
          for (String t : tokens) {
            ps.setString(i++, t);
          }
        });
  }

  /**
   * Writes a finished attempt in one transaction: results, end time, status and resources on
   * the row, guarded by the claim, and a row in the attempts table. Returns false when the row
   * is no longer held under this claim (its lease was lost and the row recovered, reset or
   * claimed by another worker): nothing is written then. An error with attempts left goes back
   * to created when the config retries errors.
   */
  public boolean finish(Connection c, Claim claim, Outcome o) throws SQLException {
    return finishAll(c, claim, List.of(o)).get(0);
  }

  /**
   * Writes several finished attempts under one claim in one transaction (group commit for
   * fast experiments): one guarded UPDATE per row, sent in JDBC batches, and the attempts
   * rows. Returns, per outcome, whether it was written.
   */
  public List<Boolean> finishAll(Connection c, Claim claim, List<Outcome> outcomes) throws SQLException {
    Instant now = now();
    return Jdbc.inTransaction(
        c,
        conn -> {
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
          try (PreparedStatement ps = conn.prepareStatement(attemptSql(0))) {
            boolean any = false;
            for (int k = 0; k < outcomes.size(); k++) {
              Outcome o = outcomes.get(k);
              if (updated[k] > 1 || updated[k] < 0) {
                throw new StoreException("finishing experiment " + o.id() + " of " + table + " updated " + updated[k] + " rows; this is a bug");
              }
              written.add(updated[k] == 1);
              if (updated[k] == 1) {
                bindAttempt(ps, o.id(), claim, o.start(), now, o.status() == Status.DONE ? "done" : o.errorKind(), o.error());
                ps.addBatch();
                any = true;
              }
            }
            if (any) {
              ps.executeBatch();
            }
          }
          return written;
        });
  }

  /** Whether the outcome is an error that goes back to created while attempts remain. */
  private boolean retried(Outcome o) {
    return o.status() == Status.ERROR && config.retryErrors();
  }

  private String finishSql(Outcome o) {
    boolean retry = retried(o);
    StringBuilder sql = new StringBuilder("UPDATE " + table + " SET ");
    sql.append(retry ? "status = CASE WHEN attempt < ? THEN 'created' ELSE 'error' END," : "status = ?,");
    sql.append(" start_date = ?, end_date = ?, error = ?, error_kind = ?, heartbeat = NULL, wall_time = ?, cpu_time = ?,"
        + " allocated_bytes = ?, spark_app = ?, experiment_class = NULL");
    for (String f : o.results().keySet()) {
      sql.append(", ").append(f).append(" = ?");
      if (config.resultTimestamps()) {
        sql.append(", ").append(f).append("_timestamp = ?");
      }
    }
    return sql.append(" WHERE id = ? AND claim_token = ? AND status = 'running'").toString();
  }

  private void bindFinish(PreparedStatement ps, Claim claim, Outcome o, Instant now) throws SQLException {
    int i = 1;
    if (retried(o)) {
      ps.setInt(i++, config.maxAttempts());
    } else {
      ps.setString(i++, o.status().dbName());
    }
    dialect.setTimestamp(ps, i++, o.start());
    dialect.setTimestamp(ps, i++, now);
    ps.setString(i++, o.error());
    ps.setString(i++, o.errorKind());
    ps.setDouble(i++, o.wallSeconds());
    if (Double.isNaN(o.cpuSeconds())) {
      ps.setNull(i++, Types.DOUBLE);
    } else {
      ps.setDouble(i++, o.cpuSeconds());
    }
    if (o.allocatedBytes() < 0) {
      ps.setNull(i++, Types.BIGINT); // not measured: the experiment was given up
    } else {
      ps.setLong(i++, o.allocatedBytes());
    }
    ps.setString(i++, o.sparkApp() != null ? o.sparkApp() : claim.sparkApp());
    for (String f : o.results().keySet()) {
      bind(ps, i++, resultfields.get(f), o.results().get(f));
      if (config.resultTimestamps()) {
        dialect.setTimestamp(ps, i++, o.resultTimes().getOrDefault(f, now));
      }
    }
    ps.setLong(i++, o.id());
    ps.setString(i, claim.token());
  }

  private String attemptSql(int offset) {
    return "INSERT INTO " + schema.attemptsTable() + " (experiment_id, attempt, run_id, spark_app, machine, executor,"
        + " start_date, end_date, outcome, error) SELECT id, attempt" + (offset == 0 ? "" : " + " + offset)
        + ", ?, ?, ?, ?, ?, ?, ?, ? FROM " + table + " WHERE id = ?";
  }

  private void bindAttempt(PreparedStatement ps, long id, Claim claim, Instant start, Instant end, String outcome, String error)
      throws SQLException {
    ps.setString(1, claim.runId());
    ps.setString(2, claim.sparkApp());
    ps.setString(3, claim.machine());
    ps.setString(4, claim.executor());
    dialect.setTimestamp(ps, 5, start);
    dialect.setTimestamp(ps, 6, end);
    ps.setString(7, outcome == null ? "unknown" : outcome);
    ps.setString(8, error);
    ps.setLong(9, id);
  }

  /**
   * Whether a finish under this claim is in the table: the row still carries the claim's token
   * and is no longer running. Tells a finish whose commit went through but whose answer was
   * lost (repeated, it finds nothing to update) from one that lost the row.
   */
  public boolean finishedUnder(Connection c, long id, Claim claim) throws SQLException {
    return !Jdbc.query(
            c,
            "SELECT 1 FROM " + table + " WHERE id = ? AND claim_token = ? AND status <> 'running'",
            ps -> {
              ps.setLong(1, id);
              ps.setString(2, claim.token());
            },
            rs -> 1)
        .isEmpty();
  }

  /** Appends one row to the attempts table; the attempt number is the row's current one. */
  private void recordAttempt(Connection c, long id, Claim claim, Instant start, Instant end, String outcome, String error)
      throws SQLException {
    recordAttempt(c, id, claim, start, end, outcome, error, 0);
  }

  /** The same, numbering the attempt the row's attempt plus offset (after the row gave it back). */
  private void recordAttempt(Connection c, long id, Claim claim, Instant start, Instant end, String outcome, String error, int offset)
      throws SQLException {
    Jdbc.update(c, attemptSql(offset), ps -> bindAttempt(ps, id, claim, start, end, outcome, error));
  }

  /**
   * Writes results of a running experiment now (intermediate results), guarded by the claim
   * when one is given, else by the row being running (attach). Returns false when the row is
   * not running (under that claim).
   */
  public boolean writeResults(Connection c, long id, String token, Map<String, Object> results, Map<String, Instant> times)
      throws SQLException {
    if (results.isEmpty()) {
      return true;
    }
    StringBuilder sql = new StringBuilder("UPDATE " + table + " SET ");
    List<String> fields = new ArrayList<>(results.keySet());
    StringJoiner set = new StringJoiner(", ");
    for (String f : fields) {
      set.add(f + " = ?");
      if (config.resultTimestamps()) {
        set.add(f + "_timestamp = ?");
      }
    }
    sql.append(set).append(" WHERE id = ? AND status = 'running'").append(token == null ? "" : " AND claim_token = ?");
    Instant now = now();
    int updated =
        Jdbc.update(
            c,
            sql.toString(),
            ps -> {
              int i = 1;
              for (String f : fields) {
                bind(ps, i++, resultfields.get(f), results.get(f));
                if (config.resultTimestamps()) {
                  dialect.setTimestamp(ps, i++, times.getOrDefault(f, now));
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
   * Appends rows to a log table in one batch. Each row maps declared column names to values
   * of their types (checked by the caller).
   */
  public void appendLog(Connection c, String logtable, long experimentId, List<Map<String, Object>> rows, List<Instant> times)
      throws SQLException {
    Map<String, FieldType> cols = config.logtables().get(logtable);
    if (cols == null) {
      throw new StoreException("no log table '" + logtable + "' declared in " + config.origin() + "; declared: " + config.logtables().keySet());
    }
    List<String> names = new ArrayList<>(cols.keySet());
    StringJoiner marks = new StringJoiner(", ");
    for (int i = 0; i < names.size() + 2; i++) {
      marks.add("?");
    }
    String sql = "INSERT INTO " + schema.logTable(logtable) + " (experiment_id, timestamp, " + String.join(", ", names) + ") VALUES (" + marks + ")";
    Jdbc.inTransaction(
        c,
        conn -> {
          try (PreparedStatement ps = conn.prepareStatement(sql)) {
            for (int r = 0; r < rows.size(); r++) {
              ps.setLong(1, experimentId);
              dialect.setTimestamp(ps, 2, times.get(r));
              for (int i = 0; i < names.size(); i++) {
                bind(ps, i + 3, cols.get(names.get(i)), rows.get(r).get(names.get(i)));
              }
              ps.addBatch();
            }
            ps.executeBatch();
          }
          return null;
        });
  }

  /**
   * Returns rows held under a claim back to created (a worker stopping early), not counting
   * the attempt, and records the release in the attempts table.
   */
  public int release(Connection c, Claim claim) throws SQLException {
    Instant now = now();
    return Jdbc.inTransaction(
        c,
        conn -> {
          List<Long> ids = claimedIds(conn, claim);
          for (Long id : ids) {
            recordAttempt(conn, id, claim, null, now, "released", "released: the run was stopping");
          }
          return Jdbc.update(
              conn,
              "UPDATE " + table + " SET " + UNCHARGED_RETURN + " WHERE claim_token = ? AND status = 'running'",
              ps -> ps.setString(1, claim.token()));
        });
  }

  // ---- reset and recovery -----------------------------------------------------------------

  /** Returns rows of the given statuses to created, clearing results and errors. Keeps ids. */
  public int reset(Set<Status> statuses) {
    if (statuses.isEmpty()) {
      return 0;
    }
    StringJoiner in = new StringJoiner(", ", "status IN (", ")");
    for (Status s : statuses) {
      in.add("'" + s.dbName() + "'");
    }
    return resetWhere(in.toString());
  }

  /** Returns the given rows to created, clearing results and errors; throws naming ids that do not exist. */
  public int resetIds(List<Long> ids) {
    requireIds(ids);
    return resetWhere(idList(ids));
  }

  /**
   * Returns rows matching an SQL condition to created, clearing results, errors and
   * resources. Ids and the attempts table are kept; a worker still running one of these rows
   * can no longer write it (its claim is cleared).
   */
  public int resetWhere(String condition) {
    StringBuilder set = new StringBuilder("status = 'created', start_date = NULL, end_date = NULL, machine = NULL,"
        + " error = NULL, error_kind = NULL, attempt = 0, run_id = NULL, spark_app = NULL, executor = NULL, claim_token = NULL,"
        + " heartbeat = NULL, wall_time = NULL, cpu_time = NULL, allocated_bytes = NULL, experiment_class = NULL");
    for (String r : resultfields.keySet()) {
      set.append(", ").append(r).append(" = NULL");
      if (config.resultTimestamps()) {
        set.append(", ").append(r).append("_timestamp = NULL");
      }
    }
    try (Connection c = connect()) {
      return Jdbc.inTransaction(
          c, conn -> Jdbc.update(conn, "UPDATE " + table + " SET " + set + " WHERE " + condition, Jdbc.NO_PARAMETERS));
    } catch (SQLException e) {
      throw failure("cannot reset rows of " + table + " where " + condition, e);
    }
  }

  /**
   * Returns paused rows (all, or the given ids) to created, keeping their results, optionally
   * with another experiment class for their next run; they are claimed in batches again like
   * rows that never ran. Returns the number of rows.
   */
  public int unpause(List<Long> ids, String experimentClass) {
    String where = "status = 'paused'";
    if (!ids.isEmpty()) {
      requireIds(ids);
      where += " AND " + idList(ids);
    }
    String sql = "UPDATE " + table + " SET status = 'created', claim_token = NULL, heartbeat = NULL, attempt = 0, run_id = NULL,"
        + " experiment_class = ? WHERE " + where;
    try (Connection c = connect()) {
      return Jdbc.update(c, sql, ps -> ps.setString(1, experimentClass == null || experimentClass.isEmpty() ? null : experimentClass));
    } catch (SQLException e) {
      throw failure("cannot unpause rows of " + table, e);
    }
  }

  /** Throws naming every id the table does not have. */
  public void requireIds(List<Long> ids) {
    List<Long> missing = new ArrayList<>();
    try (Connection c = connect()) {
      for (Long id : ids) {
        if (Jdbc.query(c, "SELECT 1 FROM " + table + " WHERE id = ?", ps -> ps.setLong(1, id), rs -> 1).isEmpty()) {
          missing.add(id);
        }
      }
    } catch (SQLException e) {
      throw failure("cannot look up ids in " + table, e);
    }
    if (!missing.isEmpty()) {
      throw new StoreException("table " + table + " has no experiment with id " + (missing.size() == 1 ? missing.get(0) : missing));
    }
  }

  private static String idList(List<Long> ids) {
    StringJoiner in = new StringJoiner(", ", "id IN (", ")");
    for (Long id : ids) {
      in.add(Long.toString(id));
    }
    return in.toString();
  }

  /** The id of the row with these keyfield values (in keyfield order), or null. */
  public Long idOf(Object[] keys) {
    StringJoiner where = new StringJoiner(" AND ");
    for (Parameter p : keyfields) {
      where.add(p.name() + " = ?");
    }
    try (Connection c = connect()) {
      List<Long> ids =
          Jdbc.query(
              c,
              "SELECT id FROM " + table + " WHERE " + where,
              ps -> {
                for (int i = 0; i < keys.length; i++) {
                  bind(ps, i + 1, keyfields.get(i).type(), keyfields.get(i).type().coerce(keys[i]));
                }
              },
              rs -> rs.getLong(1));
      return ids.isEmpty() ? null : ids.get(0);
    } catch (SQLException e) {
      throw failure("cannot look up a row of " + table, e);
    }
  }

  /**
   * Finds running rows whose heartbeat is older than the lease timeout and returns them to
   * created while attempts remain, else marks them error (kind {@code lost}) saying where and
   * when they were lost. Each row is updated under its own claim token, so a row whose worker
   * comes back to life in between is left alone. A lost claim of several rows charges none of
   * them an attempt: its outcomes are written together when it ends, so which row was running
   * is not known. They go back to created (outcome 'released') and each runs alone the next
   * time (see NEVER_RAN), so a row batched with an experiment that kills its executor is not
   * used up with it, and the experiment is charged once it takes its executor down alone.
   */
  public Recovery recover() {
    long deadline = now().toEpochMilli() - config.leaseTimeout().toMillis();
    try (Connection c = connect()) {
      List<Object[]> lost =
          Jdbc.query(
              c,
              "SELECT id, claim_token, attempt, machine, executor, heartbeat, run_id, spark_app FROM " + table
                  + " WHERE status = 'running' AND (heartbeat IS NULL OR heartbeat < ?) ORDER BY claim_token, id",
              ps -> ps.setLong(1, deadline),
              rs -> new Object[] {rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getString(4), rs.getString(5), rs.getLong(6), rs.getString(7), rs.getString(8)});
      int requeued = 0;
      int failed = 0;
      Map<String, Integer> rowsOfClaim = new HashMap<>();
      for (Object[] r : lost) {
        rowsOfClaim.merge(String.valueOf(r[1]), 1, Integer::sum);
      }
      for (Object[] r : lost) {
        long id = (Long) r[0];
        String token = (String) r[1];
        int attempt = (Integer) r[2];
        Claim holder = new Claim((String) r[6], (String) r[4], (String) r[3], token, (String) r[7]);
        String when = SqliteDialect.format(Instant.ofEpochMilli((Long) r[5]));
        int together = rowsOfClaim.get(String.valueOf(token));
        if (together > 1) {
          if (requeueUncharged(c, id, holder, deadline, "not charged: one of " + together + " rows claimed together by executor " + r[4]
              + " on " + r[3] + ", which stopped sending heartbeats at " + when + " UTC; which of them was running is not known,"
              + " so each runs alone next time")) {
            requeued++;
          }
          continue;
        }
        String message = "lost: attempt " + attempt + " of " + config.maxAttempts() + " held by executor " + r[4] + " on " + r[3]
            + " stopped sending heartbeats at " + when + " UTC";
        boolean again = attempt < config.maxAttempts();
        Instant now = now();
        int updated =
            Jdbc.inTransaction(
                c,
                conn -> {
                  int n =
                      again
                          ? Jdbc.update(
                              conn,
                              "UPDATE " + table + " SET status = 'created', claim_token = NULL, heartbeat = NULL"
                                  + " WHERE id = ? AND claim_token = ? AND status = 'running' AND (heartbeat IS NULL OR heartbeat < ?)",
                              ps -> {
                                ps.setLong(1, id);
                                ps.setString(2, token);
                                ps.setLong(3, deadline);
                              })
                          : Jdbc.update(
                              conn,
                              "UPDATE " + table + " SET status = 'error', error_kind = 'lost', error = ?, end_date = ?, heartbeat = NULL"
                                  + " WHERE id = ? AND claim_token = ? AND status = 'running' AND (heartbeat IS NULL OR heartbeat < ?)",
                              ps -> {
                                ps.setString(1, message);
                                dialect.setTimestamp(ps, 2, now);
                                ps.setLong(3, id);
                                ps.setString(4, token);
                                ps.setLong(5, deadline);
                              });
                  if (n == 1) {
                    recordAttempt(conn, id, holder, null, now, "lost", message);
                  }
                  return n;
                });
        if (updated == 1 && again) {
          requeued++;
          LOG.warning(() -> "experiment " + id + " of " + table + " " + message + "; returned to created for attempt " + (attempt + 1));
        } else if (updated == 1) {
          failed++;
          LOG.warning(() -> "experiment " + id + " of " + table + " " + message + "; no attempts left, marked error");
        }
      }
      return new Recovery(requeued, failed);
    } catch (SQLException e) {
      throw failure("cannot recover lost rows of " + table, e);
    }
  }

  private boolean requeueUncharged(Connection c, long id, Claim holder, long deadline, String message) throws SQLException {
    Instant now = now();
    int n =
        Jdbc.inTransaction(
            c,
            conn -> {
              int u =
                  Jdbc.update(
                      conn,
                      "UPDATE " + table + " SET " + UNCHARGED_RETURN
                          + " WHERE id = ? AND claim_token = ? AND status = 'running' AND (heartbeat IS NULL OR heartbeat < ?)",
                      ps -> {
                        ps.setLong(1, id);
                        ps.setString(2, holder.token());
                        ps.setLong(3, deadline);
                      });
              if (u == 1) {
                recordAttempt(conn, id, holder, null, now, "released", message, 1);
              }
              return u;
            });
    if (n == 1) {
      LOG.warning(() -> "experiment " + id + " of " + table + " " + message + "; returned to created, no attempt used");
    }
    return n == 1;
  }

  // ---- values -----------------------------------------------------------------------------

  public void bind(PreparedStatement ps, int index, FieldType type, Object value) throws SQLException {
    if (value == null) {
      ps.setNull(index, sqlTypeCode(type));
      return;
    }
    switch (type) {
      case INT:
        ps.setInt(index, (Integer) value);
        break;
      case LONG:
        ps.setLong(index, (Long) value);
        break;
      case DOUBLE:
        ps.setDouble(index, (Double) value);
        break;
      case STRING:
        ps.setString(index, (String) value);
        break;
      case BOOLEAN:
        ps.setBoolean(index, (Boolean) value);
        break;
      default:
        throw new IllegalStateException("unknown type " + type + "; this is a bug");
    }
  }

  private static int sqlTypeCode(FieldType type) {
    switch (type) {
      case INT:
        return Types.INTEGER;
      case LONG:
        return Types.BIGINT;
      case DOUBLE:
        return Types.DOUBLE;
      case BOOLEAN:
        return Types.BOOLEAN;
      default:
        return Types.VARCHAR;
    }
  }

  public Object read(ResultSet rs, String column, FieldType type) throws SQLException {
    Object v = rs.getObject(column);
    return v == null ? null : type.coerce(v);
  }

  // ---- errors -----------------------------------------------------------------------------

  /** A StoreException naming what failed, with the URL and password redacted. */
  public StoreException failure(String what, SQLException e) {
    return new StoreException(what + " (" + Redact.url(config.url()) + "): " + clean(e.getMessage()), cleanCause(e));
  }

  private String clean(String message) {
    return Redact.text(message, config.url(), config.password());
  }

  /** The cause chain without messages that might carry a secret: a plain copy of the SQL state. */
  private Exception cleanCause(SQLException e) {
    SQLException copy = new SQLException(clean(e.getMessage()), e.getSQLState(), e.getErrorCode());
    copy.setStackTrace(e.getStackTrace());
    return copy;
  }
}
