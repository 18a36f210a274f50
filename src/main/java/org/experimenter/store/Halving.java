package org.experimenter.store;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.experimenter.FieldType;
import org.experimenter.Status;
import org.experimenter.StoreException;
import org.experimenter.config.HalvingSettings;
import org.experimenter.grid.HyperbandPlan;
import org.experimenter.grid.Parameter;
import org.experimenter.grid.PromotionCut;

/**
 * Successive halving as a table operation. A configuration at rung k is a row whose budget
 * keyfield is {@code min x eta^k}; promoting it inserts a row with the same keyfields at budget
 * {@code min x eta^(k+1)}, {@code parent_id} the promoted row's id, and marks the promoted row
 * {@code halving = 'promoted'}; the rows a complete rung does not promote are marked
 * {@code halving = 'stopped'}. Nothing is ever deleted. The rules every database keeps:
 * <ul>
 *   <li>A promotion is an insert that skips keyfield combinations the table has: the UNIQUE
 *       constraint decides, so two drivers deciding the same promotion at once insert one row,
 *       and a decision repeated (a driver killed after the commit's answer was lost, a second
 *       {@code halve}) inserts nothing.
 *   <li>A synchronous rung (per group of the {@code by} keyfields) is cut only when it is
 *       complete: none of its rows created, running or paused. Its rows then never change again
 *       by themselves, so every driver ranks them alike (by value, ties by id) and the cut is the
 *       same whoever makes it; a driver killed before the commit leaves the rung as it was, and
 *       the next pass cuts it.
 *   <li>Each pass reads the rows and writes its promotions and marks in one transaction; a
 *       worker's ASHA decision reads only the rungs it wrote results to, outside a transaction,
 *       and writes its promotions in one ({@link #promoteFrom}): a candidate another driver
 *       promoted meanwhile is an insert the constraint skips.
 *   <li>A mark never changes and a row marked stopped never gets a child: a rung given unmarked
 *       rows after its cut is cut again among them only, into the slots left.
 *   <li>A run of a scope promotes only rows of its scope; the rows a cut ranks are the whole rung.
 *   <li>With several Hyperband brackets every configuration belongs to one bracket (column
 *       {@code bracket}, inherited by promoted rows), and each bracket's rungs are ranked and cut
 *       alone.
 * </ul>
 */
public final class Halving implements Serializable {
    private static final long serialVersionUID = 1L;
    /** {@code halving} column values. */
    public static final String PROMOTED = "promoted";

    public static final String STOPPED = "stopped";

    private static final int RETRIES = 5;
    /** Ids per statement of a read or mark by id. */
    private static final int ID_CHUNK = 500;
    /** Rows per insert statement of a cut (a few hundred parameters, far below every database's limit). */
    private static final int INSERT_ROWS = 100;

    private final Database db;
    private final HalvingSettings settings;
    private final HyperbandPlan plan;
    private final List<Parameter> keyfields;
    /** Hyperband with several brackets: rows carry their bracket, and each bracket is ranked alone. */
    private final boolean brackets;

    Halving(Database db) {
        this.db = db;
        this.settings = db.config.halving();
        this.plan = settings == null ? null : settings.plan();
        this.keyfields = db.config.keyfields();
        this.brackets = settings != null && settings.brackets() > 1;
    }

    /**
     * Inserts the grid's configurations at their first rung; returns the rows added. With one
     * bracket every configuration starts at {@code min}. With several (Hyperband), the
     * configurations of each group of the {@code by} keyfields are shuffled (seed 0, so every
     * fill deals alike) and dealt out: bracket s = s_max first takes its n_s configurations at
     * rung s_max - s, then the next bracket its own; configurations beyond them are not filled.
     * A group with fewer configurations than the brackets need is refused, naming it.
     *
     * @param grid configurations in keyfield order, the budget keyfield at any value
     */
    public long fill(Iterator<Object[]> grid) {
        requireHalving();
        int budgetAt = keyIndex(settings.field());
        if (!brackets) {
            return new GridFill(db).fill(new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return grid.hasNext();
                }

                @Override
                public Object[] next() {
                    Object[] keys = grid.next().clone();
                    keys[budgetAt] = settings.budgetValue(0);
                    return keys;
                }
            });
        }
        Map<List<Object>, List<Object[]>> groups = new LinkedHashMap<>();
        while (grid.hasNext()) {
            Object[] keys = grid.next();
            List<Object> group = new ArrayList<>();
            settings.by().forEach(b -> group.add(keys[keyIndex(b)]));
            groups.computeIfAbsent(group, g -> new ArrayList<>()).add(keys);
        }
        List<HyperbandPlan.Bracket> run = settings.runBrackets();
        long needed = 0;
        List<String> counts = new ArrayList<>();
        for (HyperbandPlan.Bracket b : run) {
            needed += b.rungs().get(0).n();
            counts.add(Long.toString(b.rungs().get(0).n()));
        }
        List<Object[]> rows = new ArrayList<>();
        for (Map.Entry<List<Object>, List<Object[]>> g : groups.entrySet()) {
            List<Object[]> configs = g.getValue();
            if (configs.size() < needed) {
                throw new StoreException(db.config.origin() + ": halving.brackets: the " + run.size()
                        + " brackets need " + needed + " configurations per group (" + String.join(" + ", counts)
                        + ")" + (settings.by().isEmpty() ? "" : "; the group " + describeGroup(g.getKey()))
                        + " has " + configs.size() + " in the grid; give fewer brackets or a larger grid;"
                        + " nothing was filled");
            }
            Collections.shuffle(configs, new Random(0));
            int next = 0;
            for (HyperbandPlan.Bracket b : run) {
                HyperbandPlan.Rung first = b.rungs().get(0);
                for (long i = 0; i < first.n(); i++) {
                    Object[] keys = configs.get(next++);
                    Object[] row = Arrays.copyOf(keys, keys.length + 1);
                    row[budgetAt] = settings.budgetValue(first.index());
                    row[keys.length] = b.s();
                    rows.add(row);
                }
            }
        }
        LinkedHashMap<String, FieldType> extra = new LinkedHashMap<>();
        extra.put("bracket", FieldType.INT);
        return new GridFill(db).fill(rows.iterator(), extra);
    }

    private String describeGroup(List<Object> group) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < group.size(); i++) {
            parts.add(settings.by().get(i) + "=" + group.get(i));
        }
        return String.join(", ", parts);
    }

    /**
     * A row a promotion added: its id, keyfield values in keyfield order, and whether the run that
     * promoted it may run it (it is in the run's scope; see {@link #promoteFrom}).
     */
    public record Promoted(long id, Object[] keys, boolean inScope) {}

    /**
     * One row as halving sees it: its keyfield values in order, status, ranking value, mark, and
     * whether it is in the scope of the run that looks (always, for a pass over the whole table).
     */
    record Entry(long id, Object[] keys, Status status, Double value, String mark, Integer bracket, boolean inScope) {}

    /**
     * What a pass between runs does: cuts the complete rungs (sync), or promotes every row that
     * makes its rung's cut now (async). Returns how many rows it added.
     */
    public int promote() {
        return promote(null);
    }

    /**
     * {@link #promote} for a run of this scope (null: the whole table): sync cuts only the rungs
     * that hold a row of the scope (a rung is cut whole), async promotes only rows of the scope.
     */
    public int promote(RunScope scope) {
        requireHalving();
        if (settings.mode() == HalvingSettings.Mode.SYNC) {
            return promoteCompleteRungs(scope);
        }
        int added = 0;
        for (int n = promoteUpTo(Integer.MAX_VALUE, scope).size();
                n > 0;
                n = promoteUpTo(Integer.MAX_VALUE, scope).size()) {
            added += n;
        }
        return added;
    }

    /**
     * Cuts every complete synchronous rung not cut yet, in one transaction; returns how many rows
     * it added. Safe to call any time, from any number of drivers.
     */
    public int promoteCompleteRungs() {
        return promoteCompleteRungs(null);
    }

    /**
     * The same, for the rungs that hold a row of the scope (null: every rung).
     *
     * <p>A rung cut before and given unmarked rows since ({@code fill} added configurations, a
     * row was reset) is cut again only among its unmarked rows: a mark never changes, a row
     * marked stopped never gets a child, and the rung never has more than {@code floor(n / eta)}
     * promoted rows. An unmarked row takes one of the slots left only if it ranks among the best
     * {@code floor(n / eta)} of the whole rung; the other unmarked rows are marked stopped.
     */
    public int promoteCompleteRungs(RunScope scope) {
        requireHalving();
        return withRetries("cannot promote the complete rungs of " + db.table, conn -> {
            List<Object> budgets = cuttableBudgets(conn, scope);
            if (budgets.isEmpty()) {
                return 0;
            }
            int added = 0;
            Instant now = db.now();
            for (Map<Integer, List<Entry>> rungs :
                    rungsByGroup(readEntries(conn, scope, budgets)).values()) {
                for (int k = 0; k < plan.maxRung(); k++) {
                    List<Entry> rung = rungs.getOrDefault(k, List.of());
                    if (rung.isEmpty()
                            || !complete(rung)
                            || rung.stream().allMatch(e -> e.mark() != null)
                            || rung.stream().noneMatch(Entry::inScope)) {
                        continue;
                    }
                    pauseBeforeCut();
                    List<Entry> ranked = ranked(rung);
                    int keep = Math.min(ranked.size(), rung.size() / settings.eta());
                    long taken =
                            rung.stream().filter(e -> PROMOTED.equals(e.mark())).count();
                    List<Entry> winners = new ArrayList<>();
                    for (Entry e : ranked.subList(0, keep)) {
                        if (e.mark() == null && winners.size() < keep - taken) {
                            winners.add(e);
                        }
                    }
                    added += insertChildren(conn, winners, k + 1, now);
                    List<Long> promoted = ids(winners);
                    Set<Long> promotedIds = new HashSet<>(promoted);
                    List<Long> stopped = new ArrayList<>();
                    for (Entry e : rung) {
                        if (e.mark() == null && !promotedIds.contains(e.id())) {
                            stopped.add(e.id());
                        }
                    }
                    mark(conn, promoted, PROMOTED);
                    mark(conn, stopped, STOPPED);
                }
            }
            return added;
        });
    }

    /**
     * The budgets (as stored) of the rungs there are to cut ({@link #promoteCompleteRungs}): one
     * grouped count per budget, group and bracket, so that a pass with nothing to cut (the task
     * that cuts second, the last rung's end) reads a few rows, not the table, and a cut reads
     * only the rows at these budgets, not the rungs cut before. A rung qualifies when it is
     * complete, has an unmarked row and a row of the scope; the cut itself reads the rows and
     * decides.
     */
    private List<Object> cuttableBudgets(Connection conn, RunScope scope) throws SQLException {
        StringBuilder group = new StringBuilder(settings.field());
        settings.by().forEach(b -> group.append(", ").append(b));
        group.append(", bracket");
        String inScope =
                scope == null ? "1" : "CASE WHEN " + ScopeSql.predicate(scope, db.dialect) + " THEN 1 ELSE 0 END";
        String sql = "SELECT " + group + ", SUM(CASE WHEN status = " + StatusLiterals.DONE + " OR status = "
                + StatusLiterals.ERROR + " THEN 0 ELSE 1 END) AS unfinished,"
                + " SUM(CASE WHEN halving IS NULL THEN 1 ELSE 0 END) AS unmarked, SUM(" + inScope + ") AS in_scope"
                + " FROM " + db.table + " GROUP BY " + group;
        // budgets a hair apart are one rung (plan.rungOf), so a rung's counts add up over its budgets
        final class Counts {
            long unfinished;
            long unmarked;
            long inScope;
            final Set<Object> budgets = new LinkedHashSet<>();
        }
        Map<List<Object>, Counts> rungs = new LinkedHashMap<>();
        Jdbc.query(conn, sql, Jdbc.NO_PARAMETERS, rs -> {
            List<Object> key = new ArrayList<>();
            Object budget = Values.read(rs, settings.field(), settings.fieldType());
            key.add(budget == null ? -1 : plan.rungOf(((Number) budget).doubleValue()));
            for (String b : settings.by()) {
                key.add(Values.read(rs, b, keyfields.get(keyIndex(b)).type()));
            }
            key.add(bracketOf(rs));
            Counts c = rungs.computeIfAbsent(key, k -> new Counts());
            c.unfinished += rs.getLong("unfinished");
            c.unmarked += rs.getLong("unmarked");
            c.inScope += rs.getLong("in_scope");
            c.budgets.add(budget);
            return c;
        });
        Set<Object> budgets = new LinkedHashSet<>();
        for (Map.Entry<List<Object>, Counts> e : rungs.entrySet()) {
            int k = (Integer) e.getKey().get(0);
            Counts c = e.getValue();
            if (k >= 0 && k < plan.maxRung() && c.unfinished == 0 && c.unmarked > 0 && c.inScope > 0) {
                budgets.addAll(c.budgets);
            }
        }
        return new ArrayList<>(budgets);
    }

    /**
     * Asynchronous successive halving (ASHA): promotes one row whose result makes its rung's cut
     * ({@link PromotionCut}, over the rung's results so far, once it has at least eta of them),
     * from the highest rung down, and returns the id of the new row; null when no row is
     * promotable. The new row is inserted only if its keyfields are new, so two drivers never
     * promote one configuration twice; the one whose insert lost tries the next candidate.
     */
    public Promoted promoteOne() {
        List<Promoted> p = promoteUpTo(1);
        return p.isEmpty() ? null : p.get(0);
    }

    /**
     * {@link #promoteOne} for up to {@code limit} rows at once, in one transaction: the rows
     * added, higher rungs first. It reads the whole table (a pass between runs, {@code halve});
     * workers promote with {@link #promoteFrom}, which reads the rungs they wrote to.
     */
    public List<Promoted> promoteUpTo(int limit) {
        return promoteUpTo(limit, null);
    }

    /** {@link #promoteUpTo} promoting only rows of the scope (null: any row). */
    public List<Promoted> promoteUpTo(int limit, RunScope scope) {
        requireHalving();
        return withRetries("cannot promote rows of " + db.table, conn -> {
            Map<Rung, List<Entry>> rungs = new LinkedHashMap<>();
            rungsByGroup(readEntries(conn, scope))
                    .forEach((group, byRung) -> byRung.forEach((k, entries) -> rungs.put(new Rung(group, k), entries)));
            return promoteCandidates(conn, candidates(rungs), limit, scope);
        });
    }

    /**
     * ASHA as a worker does it: promotes up to {@code limit} rows that make their rung's cut,
     * looking only at the given rungs (those the worker wrote results to since its last look:
     * a rung's cut changes only when a result arrives there). Each rung is one indexed read of
     * its done rows ({@code _rung_idx}), so a decision costs the size of one rung of one group,
     * not of the table. The rows added, higher rungs first, in one transaction; the read is
     * outside it, so that a look that promotes nothing (most do) takes no lock, and SQLite's one
     * writer is not held up by it. A rung read a moment earlier is a look a moment earlier: its
     * results only grow, and a candidate promoted since is an insert that adds nothing.
     *
     * <p>Every result is written by some worker, which looks at its rung after its commit; of
     * two workers writing at once, the one that looks last sees both results. So no state of a
     * rung goes unexamined, and the pass between runs ({@link #promote}) catches what a killed
     * worker did not look at.
     *
     * <p>A run of a scope (its {@code --where}, ids, limit) promotes only rows of its scope; a
     * promoted row is {@link Promoted#inScope} when it matches the run's condition and the run
     * names neither ids nor a limit (a limited run never runs more rows than it selected when it
     * started; its promoted rows wait for the next run). The cut is over the whole rung all the
     * same: rows outside the scope rank, but are not promoted.
     */
    public List<Promoted> promoteFrom(Collection<Rung> rungs, int limit, RunScope scope) {
        List<Promoted> added = promoteFrom(rungs, limit, scope, (c, rows) -> rows);
        return added == null ? List.of() : added;
    }

    /** What the transaction of a promotion does with the rows it added, before it commits. */
    public interface AfterPromotion<T> {
        T apply(Connection c, List<Promoted> added) throws SQLException;
    }

    /**
     * {@link #promoteFrom}, and in the same transaction what {@code then} does with the rows
     * added (a worker claims those it runs, so a promotion costs one transaction, not two).
     *
     * @return then's answer; null when no row made its rung's cut (no transaction was opened)
     */
    public <T> T promoteFrom(Collection<Rung> rungs, int limit, RunScope scope, AfterPromotion<T> then) {
        requireHalving();
        if (rungs.isEmpty()) {
            return null;
        }
        return db.withConnection("cannot promote rows of " + db.table, conn -> {
            // the look reads outside a transaction: most looks promote nothing, and on SQLite a
            // transaction waits for the one writer's lock, held by the other tasks' claims and writes
            Map<Rung, List<Entry>> read = new LinkedHashMap<>();
            for (Rung r : rungs) {
                if (r.k() < plan.maxRung()) {
                    read.put(r, readRung(conn, r, scope));
                }
            }
            List<Candidate> candidates = candidates(read);
            if (candidates.isEmpty()) {
                return null;
            }
            return retrying(conn, c -> then.apply(c, promoteCandidates(c, candidates, limit, scope)));
        });
    }

    /** The rung of a row with these keyfield values (in keyfield order); null when its budget is on no rung. */
    public Rung rungOf(Object[] keys) {
        requireHalving();
        int k = plan.rungOf(((Number) keys[keyIndex(settings.field())]).doubleValue());
        if (k < 0) {
            return null;
        }
        List<Object> group = new ArrayList<>();
        settings.by().forEach(b -> group.add(keys[keyIndex(b)]));
        return new Rung(group, k);
    }

    /**
     * Whether a row with these keyfield values is on a rung below the top, where its result may
     * complete a rung to cut.
     */
    public boolean belowTopRung(Object[] keys) {
        Rung rung = rungOf(keys);
        return rung != null && rung.k() < plan.maxRung();
    }

    /**
     * A rung of one group: the values of the {@code by} keyfields (in their order) and the rung's
     * index.
     */
    public record Rung(List<Object> group, int k) implements Serializable {
        private static final long serialVersionUID = 1L;

        public Rung {
            group = Collections.unmodifiableList(new ArrayList<>(group));
        }
    }

    /** A row that makes its rung's cut, and that rung's index. */
    private record Candidate(Entry entry, int rung) {}

    /**
     * The unmarked rows of the scope that make their rung's cut ({@link PromotionCut}, each
     * bracket alone, once it has eta results), higher rungs first, within a rung best first.
     */
    private List<Candidate> candidates(Map<Rung, List<Entry>> rungs) {
        List<Candidate> order = new ArrayList<>();
        for (Map.Entry<Rung, List<Entry>> r : rungs.entrySet()) {
            int k = r.getKey().k();
            if (k >= plan.maxRung()) {
                continue;
            }
            // each bracket is a successive halving of its own
            Map<Integer, List<Entry>> byBracket = new LinkedHashMap<>();
            r.getValue()
                    .forEach(e -> byBracket
                            .computeIfAbsent(e.bracket(), b -> new ArrayList<>())
                            .add(e));
            for (List<Entry> entries : byBracket.values()) {
                List<Entry> ranked = ranked(entries);
                if (ranked.size() < settings.eta()) {
                    continue;
                }
                double[] values = ranked.stream().mapToDouble(Entry::value).toArray();
                double cut = PromotionCut.cut(values, settings.eta(), settings.lowerIsBetter());
                for (Entry e : ranked) {
                    if (e.mark() == null
                            && e.inScope()
                            && PromotionCut.makes(e.value(), cut, settings.lowerIsBetter())) {
                        order.add(new Candidate(e, k));
                    }
                }
            }
        }
        // stable: within a rung, best first
        order.sort(Comparator.comparingInt((Candidate c) -> -c.rung()));
        return order;
    }

    /**
     * Promotes up to limit of the candidates, in their order. Each is an insert unless present,
     * so a candidate another driver promoted since it was read adds nothing and frees its slot.
     */
    private List<Promoted> promoteCandidates(Connection conn, List<Candidate> order, int limit, RunScope scope)
            throws SQLException {
        List<Promoted> added = new ArrayList<>();
        Instant now = db.now();
        List<Long> promoted = new ArrayList<>();
        boolean returning = returningStatement(1) != null;
        int next = 0;
        while (next < order.size() && added.size() < limit) {
            // as many candidates as rows still wanted; an insert another driver won frees its slot for the next round
            List<Candidate> round =
                    order.subList(next, Math.min(order.size(), next + (returning ? limit - added.size() : 1)));
            next += round.size();
            Map<Long, Entry> keyed = new java.util.HashMap<>();
            for (Entry e : withKeys(conn, round.stream().map(Candidate::entry).toList())) {
                keyed.put(e.id(), e);
            }
            Map<Integer, List<Entry>> byRung = new LinkedHashMap<>();
            round.forEach(c -> {
                Entry e = keyed.get(c.entry().id());
                if (e != null) {
                    byRung.computeIfAbsent(c.rung(), r -> new ArrayList<>()).add(e);
                }
            });
            Map<Long, Long> children = new java.util.HashMap<>();
            for (Map.Entry<Integer, List<Entry>> r : byRung.entrySet()) {
                children.putAll(insertChildrenReturningIds(conn, r.getValue(), r.getKey() + 1, now));
            }
            for (Candidate c : round) {
                Long child = children.get(c.entry().id());
                if (child != null) {
                    Object[] keys = keyed.get(c.entry().id()).keys().clone();
                    keys[keyIndex(settings.field())] = settings.budgetValue(c.rung() + 1);
                    added.add(new Promoted(child, keys, childInScope(conn, child, scope)));
                }
                promoted.add(c.entry().id()); // promoted now, or by another driver first
            }
        }
        mark(conn, promoted, PROMOTED);
        return added;
    }

    /** The dialect's insert-unless-present of rows returning their ids, for this table's columns; null where it has none. */
    private String returningStatement(int rows) {
        return db.dialect.insertUnlessPresentReturningStatement(db.table, childColumns(), StatusLiterals.CREATED, rows);
    }

    /**
     * Inserts each entry's configuration at rung k unless the table has it; returns parent id to
     * the id of the child inserted, for the rows this call inserted. One statement per
     * {@link #INSERT_ROWS} rows where the dialect returns the inserted ids, else an insert and an
     * id lookup per row.
     */
    private Map<Long, Long> insertChildrenReturningIds(Connection conn, List<Entry> parents, int k, Instant now)
            throws SQLException {
        Map<Long, Long> out = new java.util.HashMap<>();
        if (returningStatement(1) == null) {
            int budgetAt = keyIndex(settings.field());
            for (Entry parent : parents) {
                if (insertChildren(conn, List.of(parent), k, now) == 1) {
                    Object[] keys = parent.keys().clone();
                    keys[budgetAt] = settings.budgetValue(k);
                    out.put(parent.id(), childId(conn, parent, keys));
                }
            }
            return out;
        }
        for (int from = 0; from < parents.size(); from += INSERT_ROWS) {
            List<Entry> chunk = parents.subList(from, Math.min(parents.size(), from + INSERT_ROWS));
            try (PreparedStatement ps = conn.prepareStatement(returningStatement(chunk.size()))) {
                bindChildren(ps, chunk, k, now);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getLong(2), rs.getLong(1));
                    }
                }
            }
        }
        return out;
    }

    /**
     * Tests only: with {@code -Dexperimenter.test.pause-before-cut=FILE}, the first driver or
     * task of this JVM that finds a complete rung to cut writes FILE, and every one that gets
     * there waits, before it writes anything, until the test kills the JVM or deletes FILE; after
     * that none waits again (HalvingContractTest: a driver killed between a rung's completion and
     * its cut; a driver stopped there by SIGTERM). An interrupt does not end the wait.
     */
    private static void pauseBeforeCut() {
        String file = System.getProperty("experimenter.test.pause-before-cut");
        if (file == null) {
            return;
        }
        java.nio.file.Path paused = java.nio.file.Path.of(file);
        boolean interrupted = false;
        synchronized (PAUSE) {
            try {
                if (pauseState == 0) {
                    java.nio.file.Files.writeString(
                            paused, Long.toString(ProcessHandle.current().pid()));
                    pauseState = 1;
                }
                while (pauseState == 1 && java.nio.file.Files.exists(paused)) {
                    try {
                        PAUSE.wait(50);
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                pauseState = 2;
            } catch (java.io.IOException e) {
                throw new IllegalStateException("pause before cut: " + e, e);
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static final Object PAUSE = new Object();
    /** 0: no pause yet, 1: paused (FILE written), 2: released. */
    private static int pauseState;

    /** The rows of a rung that may be promoted, best first: done, with a value; ties by id. */
    private List<Entry> ranked(List<Entry> rung) {
        Comparator<Entry> byValue = Comparator.comparingDouble(Entry::value);
        if (!settings.lowerIsBetter()) {
            byValue = byValue.reversed();
        }
        List<Entry> out = new ArrayList<>();
        for (Entry e : rung) {
            if (e.status() == Status.DONE && e.value() != null && !e.value().isNaN()) {
                out.add(e);
            }
        }
        out.sort(byValue.thenComparingLong(Entry::id));
        return out;
    }

    private static boolean complete(List<Entry> rung) {
        return rung.stream().allMatch(e -> e.status() == Status.DONE || e.status() == Status.ERROR);
    }

    private static List<Long> ids(List<Entry> entries) {
        List<Long> out = new ArrayList<>();
        entries.forEach(e -> out.add(e.id()));
        return out;
    }

    /** Group (the by keyfields' values, then the bracket) to rung to its rows; rows whose budget is on no rung are left out. */
    private Map<List<Object>, Map<Integer, List<Entry>>> rungsByGroup(List<Entry> entries) {
        int budgetAt = keyIndex(settings.field());
        List<Integer> byAt = new ArrayList<>();
        settings.by().forEach(b -> byAt.add(keyIndex(b)));
        Map<List<Object>, Map<Integer, List<Entry>>> out = new LinkedHashMap<>();
        for (Entry e : entries) {
            int rung = plan.rungOf(((Number) e.keys()[budgetAt]).doubleValue());
            if (rung < 0) {
                continue;
            }
            List<Object> group = new ArrayList<>();
            byAt.forEach(i -> group.add(e.keys()[i]));
            group.add(e.bracket()); // null with one bracket
            out.computeIfAbsent(group, g -> new LinkedHashMap<>())
                    .computeIfAbsent(rung, r -> new ArrayList<>())
                    .add(e);
        }
        return out;
    }

    private int keyIndex(String name) {
        for (int i = 0; i < keyfields.size(); i++) {
            if (keyfields.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalStateException("no keyfield " + name + "; the config reader checks this, this is a bug");
    }

    private List<Entry> readEntries(Connection conn, RunScope scope) throws SQLException {
        return Jdbc.query(
                conn,
                "SELECT id, status, " + entryColumns(scope, true) + " FROM " + db.table + " ORDER BY id",
                Jdbc.NO_PARAMETERS,
                rs -> entry(rs, Status.parse(rs.getString("status")), true));
    }

    /** {@link #readEntries} of the rows at these budgets (as stored) only. */
    private List<Entry> readEntries(Connection conn, RunScope scope, List<Object> budgets) throws SQLException {
        String marks = String.join(", ", Collections.nCopies(budgets.size(), "?"));
        return Jdbc.query(
                conn,
                "SELECT id, status, " + entryColumns(scope, true) + " FROM " + db.table + " WHERE " + settings.field()
                        + " IN (" + marks + ") ORDER BY id",
                ps -> {
                    int i = 1;
                    for (Object b : budgets) {
                        Values.bind(ps, i++, settings.fieldType(), b);
                    }
                },
                rs -> entry(rs, Status.parse(rs.getString("status")), true));
    }

    /**
     * The done rows of one rung of one group, through {@code _rung_idx} (budget, by keyfields,
     * status), without their keyfields ({@link Entry#keys} null): a worker reads its rungs
     * before every claim, and only the few rows it promotes need them ({@link #withKeys}).
     */
    private List<Entry> readRung(Connection conn, Rung rung, RunScope scope) throws SQLException {
        return Jdbc.query(
                conn,
                rungQuery(scope),
                ps -> {
                    int i = 1;
                    Values.bind(ps, i++, settings.fieldType(), settings.budgetValue(rung.k()));
                    for (int b = 0; b < settings.by().size(); b++) {
                        Parameter p = keyfields.get(keyIndex(settings.by().get(b)));
                        Values.bind(ps, i++, p.type(), rung.group().get(b));
                    }
                },
                rs -> entry(rs, Status.DONE, false));
    }

    /**
     * The entries with their keyfield values, read for those that have none, in the same order;
     * an entry whose row is gone meanwhile is left out.
     */
    private List<Entry> withKeys(Connection conn, List<Entry> entries) throws SQLException {
        List<Long> missing = new ArrayList<>();
        entries.forEach(e -> {
            if (e.keys() == null) {
                missing.add(e.id());
            }
        });
        if (missing.isEmpty()) {
            return entries;
        }
        StringBuilder cols = new StringBuilder("id");
        keyfields.forEach(p -> cols.append(", ").append(p.name()));
        Map<Long, Object[]> keys = new java.util.HashMap<>();
        Jdbc.byIdChunks(
                missing,
                ID_CHUNK,
                (marks, chunk) -> Jdbc.query(
                                conn,
                                "SELECT " + cols + " FROM " + db.table + " WHERE id IN (" + marks + ")",
                                ps -> bindIds(ps, 1, chunk),
                                rs -> Map.entry(rs.getLong("id"), keysOf(rs)))
                        .forEach(e -> keys.put(e.getKey(), e.getValue())));
        List<Entry> out = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            Object[] k = e.keys() != null ? e.keys() : keys.get(e.id());
            if (k != null) {
                out.add(new Entry(e.id(), k, e.status(), e.value(), e.mark(), e.bracket(), e.inScope()));
            }
        }
        return out;
    }

    /** The keyfield values of the current row, in keyfield order. */
    private Object[] keysOf(ResultSet rs) throws SQLException {
        Object[] keys = new Object[keyfields.size()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = Values.read(rs, keyfields.get(i).name(), keyfields.get(i).type());
        }
        return keys;
    }

    /**
     * The query of {@link #readRung}: its parameters the budget, then the by keyfields, each
     * {@code = ?}, and done, the columns of {@code _rung_idx} in its order.
     */
    String rungQuery(RunScope scope) {
        StringBuilder where = new StringBuilder(settings.field()).append(" = ?");
        settings.by().forEach(b -> where.append(" AND ").append(b).append(" = ?"));
        where.append(" AND status = ").append(StatusLiterals.DONE);
        return "SELECT id, " + entryColumns(scope, false) + " FROM " + db.table + " WHERE " + where;
    }

    /** The columns {@link #entry} reads besides id and status, the keyfields with them or not. */
    private String entryColumns(RunScope scope, boolean withKeys) {
        StringBuilder cols = new StringBuilder("halving, bracket, ")
                .append(inScopeColumn(scope))
                .append(", ")
                .append(settings.value());
        if (withKeys) {
            keyfields.forEach(p -> cols.append(", ").append(p.name()));
        }
        return cols.toString();
    }

    /** The entry of the current row of a result set that has the id and {@link #entryColumns}; keys null without them. */
    private Entry entry(ResultSet rs, Status status, boolean withKeys) throws SQLException {
        Object[] keys = withKeys ? keysOf(rs) : null;
        Object v = Values.read(rs, settings.value(), db.config.resultfields().get(settings.value()));
        return new Entry(
                rs.getLong("id"),
                keys,
                status,
                v == null ? null : ((Number) v).doubleValue(),
                rs.getString("halving"),
                bracketOf(rs),
                rs.getInt("in_scope") == 1);
    }

    /** The column {@code in_scope}: 1 for a row of the scope (every row without one), else 0. */
    private String inScopeColumn(RunScope scope) {
        return scope == null
                ? "1 AS in_scope"
                : "CASE WHEN " + ScopeSql.predicate(scope, db.dialect) + " THEN 1 ELSE 0 END AS in_scope";
    }

    /**
     * Whether a run of the scope may run the row a promotion added: any run without a scope; a
     * run naming ids or a limit never (its rows were chosen when it started); else when the row
     * matches the run's condition.
     */
    private boolean childInScope(Connection conn, long child, RunScope scope) throws SQLException {
        if (scope == null) {
            return true;
        }
        if (!scope.ids().isEmpty() || scope.lastOrderKey() != null) {
            return false;
        }
        if (scope.where() == null) {
            return true;
        }
        RunScope condition = RunScope.all().where(scope.where());
        return !Jdbc.query(
                        conn,
                        "SELECT id FROM " + db.table + " WHERE id = ? AND " + ScopeSql.predicate(condition, db.dialect),
                        ps -> ps.setLong(1, child),
                        rs -> 1)
                .isEmpty();
    }

    private static Integer bracketOf(ResultSet rs) throws SQLException {
        int b = rs.getInt("bracket");
        return rs.wasNull() ? null : b;
    }

    /** Inserts each entry's configuration at rung k, unless the table has it; returns the rows inserted. */
    private int insertChildren(Connection conn, List<Entry> parents, int k, Instant now) throws SQLException {
        if (parents.isEmpty()) {
            return 0;
        }
        int added = 0;
        // a cut's rows in few statements: each round trip costs more than the rows it carries
        for (int from = 0; from < parents.size(); from += INSERT_ROWS) {
            List<Entry> chunk = parents.subList(from, Math.min(parents.size(), from + INSERT_ROWS));
            try (PreparedStatement ps = conn.prepareStatement(db.dialect.insertUnlessPresentStatement(
                    db.table, childColumns(), StatusLiterals.CREATED, chunk.size()))) {
                bindChildren(ps, chunk, k, now);
                added += ps.executeUpdate();
            }
        }
        return added;
    }

    /** The columns a promotion inserts besides status and creation date: keyfields, parent_id, bracket. */
    private List<String> childColumns() {
        List<String> columns = new ArrayList<>();
        keyfields.forEach(p -> columns.add(p.name()));
        columns.add("parent_id");
        if (brackets) {
            columns.add("bracket");
        }
        return columns;
    }

    /** Binds the children of the parents at rung k, in {@link #childColumns} order, then the creation time, per row. */
    private void bindChildren(PreparedStatement ps, List<Entry> parents, int k, Instant now) throws SQLException {
        int budgetAt = keyIndex(settings.field());
        Object budget = settings.budgetValue(k);
        int i = 1;
        for (Entry parent : parents) {
            for (int c = 0; c < keyfields.size(); c++) {
                Object v = c == budgetAt ? budget : parent.keys()[c];
                Values.bind(ps, i++, keyfields.get(c).type(), v);
            }
            ps.setLong(i++, parent.id());
            if (brackets) {
                Values.bind(ps, i++, FieldType.INT, parent.bracket());
            }
            db.dialect.setTimestamp(ps, i++, now);
        }
    }

    /** The id of the row just inserted with these keyfield values (the UNIQUE constraint's index finds it). */
    private Long childId(Connection conn, Entry parent, Object[] keys) throws SQLException {
        StringBuilder where = new StringBuilder();
        for (Parameter p : keyfields) {
            where.append(where.length() == 0 ? "" : " AND ").append(p.name()).append(" = ?");
        }
        List<Long> ids = Jdbc.query(
                conn,
                "SELECT id FROM " + db.table + " WHERE " + where,
                ps -> {
                    for (int i = 0; i < keys.length; i++) {
                        Values.bind(ps, i + 1, keyfields.get(i).type(), keys[i]);
                    }
                },
                rs -> rs.getLong(1));
        if (ids.size() != 1) {
            throw new StoreException("promoting row " + parent.id() + " of " + db.table + " left " + ids.size()
                    + " rows with its keyfields at the next rung; this is a bug");
        }
        return ids.get(0);
    }

    private void mark(Connection conn, List<Long> ids, String mark) throws SQLException {
        Jdbc.byIdChunks(
                ids,
                ID_CHUNK,
                (marks, chunk) -> Jdbc.update(
                        conn,
                        "UPDATE " + db.table + " SET halving = ? WHERE halving IS NULL AND id IN (" + marks + ")",
                        ps -> {
                            ps.setString(1, mark);
                            bindIds(ps, 2, chunk);
                        }));
    }

    /** Binds the ids from parameter index {@code first} on. */
    private static void bindIds(PreparedStatement ps, int first, List<Long> ids) throws SQLException {
        int i = first;
        for (Long id : ids) {
            ps.setLong(i++, id);
        }
    }

    /**
     * Runs work in a transaction of its own, again when the database chose it as a deadlock's
     * victim or could not serialize it (two drivers promoting at once; the next try sees the
     * other's rows).
     */
    private <T> T withRetries(String what, Jdbc.SqlWork<T> work) {
        return db.withConnection(what, c -> retrying(c, work));
    }

    /**
     * {@link #withRetries} on a connection at hand. Where the database takes one writer at a
     * time (SQLite), the transaction queues on the JVM's write lock, as the workers' claims and
     * writes do, rather than polling in SQLite's busy handler (which sleeps 1, 2, 5, 10 ms and
     * more between tries) while they go first.
     */
    private <T> T retrying(Connection c, Jdbc.SqlWork<T> work) throws SQLException {
        Object lock = db.dialect.writeLock(db.config.url());
        if (lock == null) {
            return retryingTransaction(c, work);
        }
        synchronized (lock) {
            return retryingTransaction(c, work);
        }
    }

    private <T> T retryingTransaction(Connection c, Jdbc.SqlWork<T> work) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                return Jdbc.inTransaction(c, work);
            } catch (SQLException e) {
                if (!db.dialect.isSerializationFailure(e) || attempt >= RETRIES) {
                    throw e;
                }
            }
        }
    }

    private void requireHalving() {
        if (settings == null) {
            throw new StoreException(
                    db.config.origin() + ": no halving section; add one to promote rows of " + db.table);
        }
    }
}
