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
import org.experimenter.Status;
import org.experimenter.StoreException;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.grid.Parameter;
import org.experimenter.store.dialect.Dialect;
import org.experimenter.store.dialect.Redact;

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
  private Clock clock = Clock.systemUTC();

  public ExperimentStore(ExperimentConfig config) {
    this.config = config;
    this.dialect = Dialect.forUrl(config.url());
    this.table = config.table();
    this.keyfields = config.keyfields();
    this.resultfields = new LinkedHashMap<>(config.resultfields());
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
    List<String> cols = new ArrayList<>();
    cols.add("id");
    for (Parameter p : keyfields) {
      cols.add(p.name());
    }
    cols.addAll(List.of("status", "creation_date", "start_date", "end_date", "machine"));
    cols.addAll(resultfields.keySet());
    cols.addAll(List.of("error", "error_kind", "attempt", "run_id", "executor", "claim_token", "heartbeat"));
    return cols;
  }

  /** Creates the table and its indexes when missing; checks an existing table's columns. */
  public void createTableIfMissing() {
    try (Connection c = connect()) {
      if (tableExists(c)) {
        verifyColumns(c);
        return;
      }
      StringJoiner cols = new StringJoiner(",\n  ", "CREATE TABLE IF NOT EXISTS " + table + " (\n  ", "\n)");
      cols.add(dialect.idColumn());
      StringJoiner unique = new StringJoiner(", ");
      for (Parameter p : keyfields) {
        cols.add(p.name() + " " + dialect.sqlType(p.type()) + " NOT NULL");
        unique.add(p.name());
      }
      cols.add("status VARCHAR(16) NOT NULL DEFAULT 'created'");
      cols.add("creation_date " + dialect.timestampType() + " NOT NULL");
      cols.add("start_date " + dialect.timestampType());
      cols.add("end_date " + dialect.timestampType());
      cols.add("machine TEXT");
      for (Map.Entry<String, FieldType> r : resultfields.entrySet()) {
        cols.add(r.getKey() + " " + dialect.sqlType(r.getValue()));
      }
      cols.add("error TEXT");
      cols.add("error_kind VARCHAR(16)");
      cols.add("attempt INTEGER NOT NULL DEFAULT 0");
      cols.add("run_id TEXT");
      cols.add("executor TEXT");
      cols.add("claim_token TEXT");
      cols.add("heartbeat BIGINT");
      cols.add("CONSTRAINT " + table + "_keys UNIQUE (" + unique + ")");
      Jdbc.inTransaction(
          c,
          conn -> {
            try (Statement s = conn.createStatement()) {
              s.execute(cols.toString());
              s.execute("CREATE INDEX IF NOT EXISTS " + table + "_status_idx ON " + table + " (status, id)");
              s.execute("CREATE INDEX IF NOT EXISTS " + table + "_claim_idx ON " + table + " (claim_token)");
            }
            return null;
          });
      LOG.info(() -> "created table " + table + " in " + dialect.name());
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
      try (Statement s = c.createStatement()) {
        s.execute("DROP TABLE " + table);
      }
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
    m.put("id", rs.getLong("id"));
    for (Parameter p : keyfields) {
      m.put(p.name(), read(rs, p.name(), p.type()));
    }
    m.put("status", rs.getString("status"));
    for (String t : List.of("creation_date", "start_date", "end_date")) {
      m.put(t, dialect.getTimestamp(rs, t));
    }
    m.put("machine", rs.getString("machine"));
    for (Map.Entry<String, FieldType> r : resultfields.entrySet()) {
      m.put(r.getKey(), read(rs, r.getKey(), r.getValue()));
    }
    m.put("error", rs.getString("error"));
    m.put("error_kind", rs.getString("error_kind"));
    m.put("attempt", rs.getInt("attempt"));
    m.put("run_id", rs.getString("run_id"));
    m.put("executor", rs.getString("executor"));
    m.put("claim_token", rs.getString("claim_token"));
    long hb = rs.getLong("heartbeat");
    m.put("heartbeat", rs.wasNull() ? null : hb);
    return m;
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

  // ---- claiming and completing ------------------------------------------------------------

  private String claimSet() {
    return "status = 'running', claim_token = ?, run_id = ?, executor = ?, machine = ?,"
        + " start_date = ?, end_date = NULL, heartbeat = ?, attempt = attempt + 1,"
        + " error = NULL, error_kind = NULL";
  }

  private int bindClaim(PreparedStatement ps, Claim claim, Instant now) throws SQLException {
    ps.setString(1, claim.token());
    ps.setString(2, claim.runId());
    ps.setString(3, claim.executor());
    ps.setString(4, claim.machine());
    dialect.setTimestamp(ps, 5, now);
    ps.setLong(6, now.toEpochMilli());
    return 7;
  }

  /**
   * Claims those of the given ids that are still created, in one transaction, and returns
   * them. Rows another worker holds are skipped: the update is guarded by status.
   */
  public List<Long> claimIds(Connection c, List<Long> ids, Claim claim) throws SQLException {
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
                  "UPDATE " + table + " SET " + claimSet() + " WHERE status = 'created' AND id IN (" + marks + ")",
                  ps -> {
                    int i = bindClaim(ps, claim, now);
                    for (Long id : ids) {
                      ps.setLong(i++, id);
                    }
                  });
          List<Long> claimed = claimedIds(conn, claim);
          checkClaimCount(updated, claimed.size(), claim);
          return claimed;
        });
  }

  /**
   * Claims up to {@code limit} created rows matching an optional predicate over keyfields
   * and ids, in id order, and returns them with their keyfield values. PostgreSQL does it in
   * one statement that skips rows other transactions are claiming; SQLite serializes writers,
   * so a select and a guarded update in one IMMEDIATE transaction are enough.
   */
  public List<ClaimedRow> claimNext(Connection c, int limit, String predicate, Claim claim)
      throws SQLException {
    Instant now = now();
    String where = "status = 'created'" + (predicate == null ? "" : " AND (" + predicate + ")");
    return Jdbc.inTransaction(
        c,
        conn -> {
          int updated;
          if (dialect.supportsSkipLocked()) {
            updated =
                Jdbc.update(
                    conn,
                    "UPDATE " + table + " SET " + claimSet() + " WHERE id IN (SELECT id FROM " + table
                        + " WHERE " + where + " ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED) AND status = 'created'",
                    ps -> ps.setInt(bindClaim(ps, claim, now), limit));
          } else {
            updated =
                Jdbc.update(
                    conn,
                    "UPDATE " + table + " SET " + claimSet() + " WHERE id IN (SELECT id FROM " + table
                        + " WHERE " + where + " ORDER BY id LIMIT ?) AND status = 'created'",
                    ps -> ps.setInt(bindClaim(ps, claim, now), limit));
          }
          List<ClaimedRow> rows =
              Jdbc.query(
                  conn,
                  "SELECT id, " + keyList() + " FROM " + table + " WHERE claim_token = ? AND status = 'running' ORDER BY id",
                  ps -> ps.setString(1, claim.token()),
                  rs -> new ClaimedRow(rs.getLong("id"), readKeys(rs)));
          checkClaimCount(updated, rows.size(), claim);
          return rows;
        });
  }

  private void checkClaimCount(int updated, int found, Claim claim) {
    if (updated != found) {
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
   * Writes a finished experiment: results, end time and status in one statement, guarded by
   * the claim. Returns false when the row is no longer held under this claim (its lease was
   * lost and the row recovered, reset or claimed by another worker): nothing is written then.
   */
  public boolean finish(
      Connection c, long id, String token, Status status, Map<String, Object> results, String errorKind, String error)
      throws SQLException {
    Instant now = now();
    StringBuilder sql = new StringBuilder("UPDATE " + table + " SET status = ?, end_date = ?, error = ?, error_kind = ?, heartbeat = NULL");
    List<String> fields = new ArrayList<>(results.keySet());
    for (String f : fields) {
      sql.append(", ").append(f).append(" = ?");
    }
    sql.append(" WHERE id = ? AND claim_token = ? AND status = 'running'");
    int updated =
        Jdbc.update(
            c,
            sql.toString(),
            ps -> {
              ps.setString(1, status.dbName());
              dialect.setTimestamp(ps, 2, now);
              ps.setString(3, error);
              ps.setString(4, errorKind);
              int i = 5;
              for (String f : fields) {
                bind(ps, i++, resultfields.get(f), results.get(f));
              }
              ps.setLong(i++, id);
              ps.setString(i, token);
            });
    if (updated > 1) {
      throw new StoreException("finishing experiment " + id + " of " + table + " updated " + updated + " rows; this is a bug");
    }
    return updated == 1;
  }

  /** Returns rows held under a claim back to created (a worker stopping early). */
  public int release(Connection c, String token) throws SQLException {
    return Jdbc.update(
        c,
        "UPDATE " + table + " SET status = 'created', claim_token = NULL, heartbeat = NULL, start_date = NULL,"
            + " attempt = CASE WHEN attempt > 0 THEN attempt - 1 ELSE 0 END WHERE claim_token = ? AND status = 'running'",
        ps -> ps.setString(1, token));
  }

  // ---- reset and recovery -----------------------------------------------------------------

  /** Returns rows of the given statuses to created, clearing results and errors. Keeps ids. */
  public int reset(Set<Status> statuses) {
    if (statuses.isEmpty()) {
      return 0;
    }
    StringJoiner marks = new StringJoiner(", ");
    for (int i = 0; i < statuses.size(); i++) {
      marks.add("?");
    }
    StringBuilder set = new StringBuilder("status = 'created', start_date = NULL, end_date = NULL, machine = NULL,"
        + " error = NULL, error_kind = NULL, attempt = 0, run_id = NULL, executor = NULL, claim_token = NULL, heartbeat = NULL");
    for (String r : resultfields.keySet()) {
      set.append(", ").append(r).append(" = NULL");
    }
    try (Connection c = connect()) {
      return Jdbc.inTransaction(
          c,
          conn ->
              Jdbc.update(
                  conn,
                  "UPDATE " + table + " SET " + set + " WHERE status IN (" + marks + ")",
                  ps -> {
                    int i = 1;
                    for (Status s : statuses) {
                      ps.setString(i++, s.dbName());
                    }
                  }));
    } catch (SQLException e) {
      throw failure("cannot reset rows of " + table, e);
    }
  }

  /**
   * Finds running rows whose heartbeat is older than the lease timeout and returns them to
   * created while attempts remain, else marks them error (kind {@code lost}) saying where and
   * when they were lost. Each row is updated under its own claim token, so a row whose worker
   * comes back to life in between is left alone.
   */
  public Recovery recover() {
    long deadline = now().toEpochMilli() - config.leaseTimeout().toMillis();
    List<Object[]> lost;
    try (Connection c = connect()) {
      lost =
          Jdbc.query(
              c,
              "SELECT id, claim_token, attempt, machine, executor, heartbeat FROM " + table
                  + " WHERE status = 'running' AND (heartbeat IS NULL OR heartbeat < ?)",
              ps -> ps.setLong(1, deadline),
              rs -> new Object[] {rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getString(4), rs.getString(5), rs.getLong(6)});
      int requeued = 0;
      int failed = 0;
      for (Object[] r : lost) {
        long id = (Long) r[0];
        String token = (String) r[1];
        int attempt = (Integer) r[2];
        String where = "executor " + r[4] + " on " + r[3];
        String when = SqliteFormat.instant(Instant.ofEpochMilli((Long) r[5]));
        if (attempt < config.maxAttempts()) {
          requeued +=
              Jdbc.update(
                  c,
                  "UPDATE " + table + " SET status = 'created', claim_token = NULL, heartbeat = NULL"
                      + " WHERE id = ? AND claim_token = ? AND status = 'running' AND (heartbeat IS NULL OR heartbeat < ?)",
                  ps -> {
                    ps.setLong(1, id);
                    ps.setString(2, token);
                    ps.setLong(3, deadline);
                  });
          LOG.warning(() -> "experiment " + id + " of " + table + " was lost by " + where + " (last heartbeat " + when + "); returned to created for attempt " + (attempt + 1));
        } else {
          String message = "lost: attempt " + attempt + " of " + config.maxAttempts() + " held by " + where
              + " stopped sending heartbeats at " + when + " UTC";
          Instant now = now();
          failed +=
              Jdbc.update(
                  c,
                  "UPDATE " + table + " SET status = 'error', error_kind = 'lost', error = ?, end_date = ?, heartbeat = NULL"
                      + " WHERE id = ? AND claim_token = ? AND status = 'running' AND (heartbeat IS NULL OR heartbeat < ?)",
                  ps -> {
                    ps.setString(1, message);
                    dialect.setTimestamp(ps, 2, now);
                    ps.setLong(3, id);
                    ps.setString(4, token);
                    ps.setLong(5, deadline);
                  });
          LOG.warning(() -> "experiment " + id + " of " + table + " " + message + "; no attempts left, marked error");
        }
      }
      return new Recovery(requeued, failed);
    } catch (SQLException e) {
      throw failure("cannot recover lost rows of " + table, e);
    }
  }

  /** What one recovery pass did. */
  public static final class Recovery {
    public final int requeued;
    public final int failed;

    Recovery(int requeued, int failed) {
      this.requeued = requeued;
      this.failed = failed;
    }
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

  /** Timestamps in messages, independent of the database. */
  static final class SqliteFormat {
    static String instant(Instant i) {
      return org.experimenter.store.dialect.SqliteDialect.format(i);
    }
  }
}
