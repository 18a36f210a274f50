package org.experimenter.store;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.experimenter.Recovery;
import org.experimenter.Status;
import org.experimenter.StoreException;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.store.dialect.Dialect;

/**
 * The experiment table of one config, one row per experiment: the one door to it. Each job is
 * done by a room of its own, and this facade only opens the door to it:
 * <ul>
 *   <li>{@link TableSetup} creates, checks and drops the tables ({@link Schema} holds the DDL);
 *   <li>{@link GridFill} inserts grid rows;
 *   <li>{@link Claims} claims rows, beats their heartbeat and releases them (the claim rules
 *       are stated there);
 *   <li>{@link Completions} writes finished attempts, {@link RunningWrites} what a running
 *       experiment writes before, {@link AttemptLog} the attempts table;
 *   <li>{@link LeaseRecovery} recovers rows whose lease expired;
 *   <li>{@link RowAdmin} resets, unpauses and looks up rows;
 *   <li>{@link RowReads} and {@link RunQueries} read, {@link PageReads} for the web view;
 *   <li>{@link RowImport} inserts rows that come with their ids (adopt-pyexperimenter);
 *   <li>{@link Promotions} adds the rows of a follow-up stage (promote), {@link Halving} those of
 *       successive halving's rungs;
 *   <li>{@link ArtifactRows} lists the rows' artifacts, {@link EnergyLog} writes the energy table.
 * </ul>
 * What differs by database is in its {@link Dialect}. Serializable so that executors can rebuild
 * it; it holds no open connection. Methods that take a connection run on the caller's (a
 * worker's retrying connection); the others open one of their own.
 */
public final class ExperimentStore implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Database db;
    private final TableSetup setup;
    private final GridFill grid;
    private final AttemptLog attempts;
    private final Claims claims;
    private final Completions completions;
    private final RunningWrites running;
    private final LeaseRecovery recovery;
    private final RowAdmin admin;
    private final ArtifactRows artifacts;
    private final RowReads reads;
    private final RunQueries runs;
    private final RowImport imports;
    private final PageReads pages;
    private final Promotions promotions;
    private final Halving halving;

    /**
     * Closes every connection pool of this JVM: the daemon does between two commands, so that no
     * connection outlives its command.
     */
    public static void closeConnections() {
        ConnectionPools.closeAll();
    }

    public ExperimentStore(ExperimentConfig config) {
        this.db = new Database(config);
        this.setup = new TableSetup(db);
        this.grid = new GridFill(db);
        this.attempts = new AttemptLog(db);
        this.claims = new Claims(db, attempts);
        this.completions = new Completions(db, attempts);
        this.running = new RunningWrites(db);
        this.recovery = new LeaseRecovery(db, attempts);
        this.admin = new RowAdmin(db);
        this.artifacts = new ArtifactRows(db);
        this.reads = new RowReads(db);
        this.runs = new RunQueries(db);
        this.imports = new RowImport(db);
        this.pages = new PageReads(db, reads);
        this.promotions = new Promotions(db);
        this.halving = new Halving(db);
    }

    /**
     * The code versions the done rows came from, most rows first (one entry when all agree);
     * read from the attempts table's code_version.
     */
    public List<CodeVersionCount> codeVersionsOfDoneRows() {
        return attempts.codeVersionsOfDoneRows();
    }

    /** Whether the energy table is there (a table of an earlier version gets it at its next fill or run). */
    public boolean energyTableExists() {
        return db.withConnection("cannot look up table " + db.schema.energyTable(), c -> {
            try (java.sql.ResultSet rs = c.getMetaData().getTables(null, null, db.schema.energyTable(), null)) {
                return rs.next();
            }
        });
    }

    /** Replaces the clock (tests move time forward instead of sleeping). */
    public ExperimentStore withClock(Clock clock) {
        db.setClock(clock);
        return this;
    }

    /**
     * The config hash and code version every finished attempt records, found now in this JVM
     * (call it on the driver before the store travels to executors, so they record the same).
     */
    public org.experimenter.provenance.Provenance provenance() {
        return db.provenance();
    }

    /** {@link #provenance()}, the code being that of this experiment class unless it is known already. */
    public org.experimenter.provenance.Provenance provenanceFor(Class<?> experimentClass) {
        return db.provenanceFor(experimentClass);
    }

    public Instant now() {
        return db.now();
    }

    public ExperimentConfig config() {
        return db.config;
    }

    public Dialect dialect() {
        return db.dialect;
    }

    public String table() {
        return db.table;
    }

    public Schema schema() {
        return db.schema;
    }

    /** A new connection, auto-commit on; the caller closes it. Errors name the redacted URL. */
    public Connection connect() {
        return db.connect();
    }

    /** A connection for an executor holding rows: each answer awaited at most half a lease. */
    public Connection connectHoldingRows() {
        return db.connectHoldingRows();
    }

    /** A StoreException naming what failed, with the URL and password redacted. */
    public StoreException failure(String what, SQLException e) {
        return db.failure(what, e);
    }

    // ---- tables -----------------------------------------------------------------------------

    /** Parses and checks a {@code --where} condition against this table's columns and their kinds. */
    public Where where(String text) {
        return Where.parse(text, db.schema.columnKinds());
    }

    /**
     * A {@code --where} condition (null or blank for none) narrowed to the rows of one stage (null
     * for every stage), as one checked condition; null when there is neither.
     */
    public Where where(String text, Integer stage) {
        Where user = text == null || text.isBlank() ? null : where(text);
        if (stage == null) {
            return user;
        }
        Where only = Where.stage(stage, db.schema.columnKinds());
        return user == null ? only : user.and(only);
    }

    /** The rows of every stage but these, as one checked condition ({@code NOT stage IN (...)}). */
    public Where whereStagesOtherThan(java.util.Collection<Integer> stages) {
        return Where.stagesOtherThan(stages, db.schema.columnKinds());
    }

    /** The column names of the table in order, as this config expects them. */
    public List<String> expectedColumns() {
        return setup.expectedColumns();
    }

    /** Creates the tables and indexes when missing; checks an existing table's columns. */
    public void createTableIfMissing() {
        setup.createIfMissing();
    }

    public boolean tableExists() {
        return setup.exists();
    }

    /**
     * The columns of a table of this database, lower case, in table order; empty when there is no
     * such table (columns and tables other branches of the tool add: stages, provenance, energy).
     */
    public List<String> columnsOf(String table) {
        return setup.columnNames(table);
    }

    /** Drops the tables; returns false when there was none. */
    public boolean drop() {
        return setup.drop();
    }

    /**
     * Inserts the given keyfield combinations (values in keyfield order), skipping those the
     * table already has; returns the number of new rows.
     */
    public long fill(Iterator<Object[]> rows) {
        return grid.fill(rows);
    }

    /** Follow-up stages: the best configurations of a stage get rows with new values of one keyfield. */
    public Promotions promotions() {
        return promotions;
    }

    // ---- reads ------------------------------------------------------------------------------

    /** Row counts per status (every status present, zero where none). */
    public Map<Status, Long> counts() {
        return reads.counts();
    }

    /**
     * Per status present, the rows matching a condition (null for all) and, per result field
     * given, how many of them have no value of it.
     */
    public List<StatusCount> counts(Where where, List<String> resultfields) {
        return reads.countsWhere(where, resultfields);
    }

    /** The attempt a row is at: 1 while it runs the first time. */
    public int attempt(long id) {
        return reads.attempt(id);
    }

    /** One row as a map of column name to value (tests, run-one, attach). */
    public Map<String, Object> row(long id) {
        return reads.row(id);
    }

    /** Every row, ordered by id, as maps (small tables: tests and tools). */
    public List<Map<String, Object>> rows() {
        return reads.rows();
    }

    /**
     * How many attempts at an experiment ended out of memory (error kind {@code oom}): the
     * level of {@code resources.escalate} its next attempt runs at.
     */
    public int outOfMemoryAttempts(long id) {
        return db.withConnection(
                "cannot read the attempts of experiment " + id + " of " + table(), c -> attempts.outOfMemory(c, id));
    }

    /** The files each attempt of a row left in its artifact folder ({@code <table>__artifacts}). */
    public ArtifactRows artifacts() {
        return artifacts;
    }

    /** The attempts of one experiment, oldest first. */
    public List<Map<String, Object>> attempts(long id) {
        return attempts.of(id);
    }

    /** Every column of an experiment's last attempt that counted; empty when it has none. */
    public Map<String, Object> lastAttempt(long id) {
        return attempts.lastCounted(id);
    }

    /** Rows of a log table for one experiment, oldest first, as maps of the declared columns. */
    public List<Map<String, Object>> logRows(String logtable, long experimentId) {
        return reads.logRows(logtable, experimentId);
    }

    /** The reads of the web view: pages of rows, error rows, attempts read forward, running rows per run. */
    public PageReads pages() {
        return pages;
    }

    // ---- the queries of a run ---------------------------------------------------------------

    /** The reads a run makes: open rows, rows held, progress, the query Spark reads rows with. */
    /** Rows copied with their ids from another tool's table (adopt-pyexperimenter). */
    public RowImport rowImport() {
        return imports;
    }

    public RunQueries runs() {
        return runs;
    }

    /** Whether a created row is in the scope. */
    public boolean hasOpen(Connection c, RunScope scope) throws SQLException {
        return runs.hasOpen(c, scope);
    }

    /** How many rows of the scope a claim of several rows could take, counted up to cap. */
    public long countOpen(Connection c, RunScope scope, int cap) throws SQLException {
        return claims.countOpen(c, scope, cap);
    }

    /** How many rows a run holds (running under its run id). */
    public long heldBy(Connection c, String runId) throws SQLException {
        return runs.heldBy(c, runId);
    }

    String hasOpenQuery(RunScope scope) {
        return runs.hasOpenQuery(scope);
    }

    // ---- claims -----------------------------------------------------------------------------

    /** Those of the given ids whose rows are still created (a read: no claim, no lock). */
    public java.util.Set<Long> openAmong(Connection c, List<Long> ids) throws SQLException {
        return claims.openAmong(c, ids);
    }

    /** Claims those of the given ids that are still created, in one transaction. */
    public List<ClaimedRow> claimIds(Connection c, List<Long> ids, Claim claim) throws SQLException {
        return claims.claimIds(c, ids, claim);
    }

    /** The rows a worker's promotion added ({@link #promoteAndClaim}), and those of them it claimed, with their keyfields. */
    public record PromotedClaim(int added, List<ClaimedRow> claimed) {}

    /**
     * Asynchronous halving as a worker does it before a claim: promotes up to limit rows of the
     * given rungs ({@link Halving#promoteFrom}) and claims those of them the scope takes
     * ({@link Halving.Promoted#inScope}) under the claim, in the promotion's transaction. With
     * {@code fill}, when the promoted rows it claimed are fewer than limit, the claim takes open
     * rows of the scope up to limit in the same transaction ({@link #claimNext}): a worker's claim
     * of promoted rows first, then new configurations, is one transaction and one write, where it
     * was a promotion, a claim and two writes. Nothing promotable: no transaction, nothing claimed.
     */
    public PromotedClaim promoteAndClaim(
            Collection<Halving.Rung> rungs, int limit, RunScope scope, Claim claim, boolean fill) {
        PromotedClaim p = halving.promoteFrom(rungs, limit, scope, (c, added) -> {
            Map<Long, Object[]> keys = new LinkedHashMap<>();
            for (Halving.Promoted row : added) {
                if (row.inScope()) {
                    keys.put(row.id(), row.keys());
                }
            }
            List<ClaimedRow> claimed = new ArrayList<>();
            for (ClaimedRow r : claims.claimIdsInTransaction(c, List.copyOf(keys.keySet()), claim)) {
                claimed.add(new ClaimedRow(r.id(), keys.get(r.id()), r.experimentClass()));
            }
            if (fill && claimed.size() < limit) {
                // every row the claim holds, the promoted ones among them, in id order
                List<ClaimedRow> all =
                        claims.claimNextInTransaction(c, limit - claimed.size(), claimed.size(), scope, claim);
                if (!all.isEmpty()) {
                    claimed = all;
                }
            }
            return new PromotedClaim(added.size(), claimed);
        });
        return p == null ? new PromotedClaim(0, List.of()) : p;
    }

    /** Claims up to limit created rows of a scope (null for any), in the scope's order. */
    public List<ClaimedRow> claimNext(Connection c, int limit, RunScope scope, Claim claim) throws SQLException {
        return claims.claimNext(c, limit, scope, claim);
    }

    String nextOpenQuery(int limit, RunScope scope) {
        return claims.nextOpenQuery(limit, scope);
    }

    /** Refreshes the heartbeat of every running row held under the given claim tokens. */
    public int heartbeat(Connection c, Collection<String> tokens) throws SQLException {
        return claims.heartbeat(c, tokens);
    }

    /** Returns rows held under a claim back to created without charging the attempt. */
    public int release(Connection c, Claim claim) throws SQLException {
        return claims.release(c, claim);
    }

    /** Returns every row a run holds back to created without charging the attempt (its job aborted). */
    public int releaseRun(String runId) {
        return db.withConnection("cannot release the rows of run " + runId, c -> claims.releaseRun(c, runId));
    }

    // ---- writes of a running or finished experiment -----------------------------------------

    /** Writes one finished attempt; false when the row is no longer held under this claim. */
    public boolean finish(Connection c, Claim claim, Outcome o) throws SQLException {
        return completions.finishAll(c, claim, List.of(o)).get(0);
    }

    /** Writes finished attempts of one claim in one transaction; per outcome, whether written. */
    public List<Boolean> finishAll(Connection c, Claim claim, List<Outcome> outcomes) throws SQLException {
        return completions.finishAll(c, claim, outcomes);
    }

    /** Whether a finish under this claim is in the table (a commit whose answer was lost). */
    public boolean finishedUnder(Connection c, long id, Claim claim) throws SQLException {
        return completions.finishedUnder(c, id, claim);
    }

    /** Writes intermediate results of a running row; false when it is not running (under the token). */
    public boolean writeResults(
            Connection c, long id, String token, Map<String, Object> results, Map<String, Instant> times)
            throws SQLException {
        return running.writeResults(c, id, token, results, times);
    }

    /** Appends rows to a log table in one batch; false when the row is not running (under the token). */
    public boolean appendLog(
            Connection c,
            String logtable,
            long experimentId,
            String token,
            List<Map<String, Object>> rows,
            List<Instant> times)
            throws SQLException {
        return running.appendLog(c, logtable, experimentId, token, rows, times);
    }

    // ---- administration and recovery --------------------------------------------------------

    /** Promotes and stops the rows of successive halving's rungs. */
    public Halving halving() {
        return halving;
    }

    /** Resets, unpauses and looks up rows (what users do between runs). */
    public RowAdmin admin() {
        return admin;
    }

    /** The same, but resets leave the rows' artifact folders and their listings in place. */
    public RowAdmin admin(boolean keepArtifacts) {
        return keepArtifacts ? new RowAdmin(db, true) : admin;
    }

    /** Throws naming every id the table does not have. */
    public void requireIds(List<Long> ids) {
        admin.requireIds(ids);
    }

    /** The id of the row with these keyfield values (in keyfield order), or null. */
    public Long idOf(Object[] keys) {
        return admin.idOf(keys);
    }

    /** Returns rows whose lease expired to created, or to error when no attempts are left. */
    public Recovery recover() {
        return recovery.recover();
    }
}
