package org.experimenter.spark;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;
import org.experimenter.Experiment;
import org.experimenter.Status;
import org.experimenter.config.HalvingSettings;
import org.experimenter.store.Claim;
import org.experimenter.store.ClaimedRow;
import org.experimenter.store.ExperimentStore;
import org.experimenter.store.Halving;
import org.experimenter.store.Outcome;
import org.experimenter.store.PermanentStoreException;
import org.experimenter.store.RunScope;

/**
 * The executor side of a run: claims rows, has them run (by a {@link ClaimRunner}) with a
 * {@link Heartbeat} going, and writes the outcomes under the claim. Owns the claim loop: which
 * rows to claim, how many at once, the look for returned rows, and the write and release that
 * end each claim. Experiment exceptions, timeouts and out-of-memory errors in the experiment
 * become the row's error; only infrastructure failures (the database gone for longer than the
 * retry window of the {@link RetryingConnection}) escape to Spark.
 *
 * <p>Contract. Every claim has a token of its own, and every write after the claim (finish,
 * release) is guarded by it. The token beats from before the claim statement runs until the
 * claim's outcomes are written and its rows not started are released. Outcomes are written by
 * the task thread alone, all of a claim in one commit when it ends (group commit); a write that
 * finds its claim lost (lease expired, reset, taken over) changes nothing, and its result is
 * discarded with a warning. Rows of the claim not started (a stop, a failure) go back to created.
 */
public final class Worker implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Worker.class.getName());
    private static final long TARGET_BATCH_MILLIS = 250;
    private static final int MAX_BATCH = 200;
    /**
     * A claim's work below which its transactions cost more than its balance between the tasks:
     * synchronous halving cuts a claim that would hold more down to the claimer's share of the
     * open rows ({@link #shareOfOpen}); asynchronous halving fills a claim of promoted rows that
     * would hold less with new configurations ({@link #runPromoted(boolean)}).
     */
    private static final double SHARE_MILLIS = 20;

    private static final AtomicLong SEQUENCE = new AtomicLong();

    private final ExperimentStore store;
    private final String runId;
    private final String executor;
    private final String sparkApp;
    private final String machine;
    private final Map<Status, Long> counts = new EnumMap<>(Status.class);
    private final StopFlag stop = new StopFlag();
    private final RetryingConnection db;
    private final ClaimRunner claims;
    private final Heartbeat heartbeat;
    private long nextReturnedCheck = System.nanoTime();
    /** Asynchronous halving: rungs this worker wrote results to since it last looked at them. */
    private final Set<Halving.Rung> unsettled = new LinkedHashSet<>();
    /** Asynchronous halving: the scope of the run this worker promotes for; null: it never promotes. */
    private RunScope promoting;
    /** Synchronous halving: this worker cuts the rungs its run finished ({@link #cuttingRungs}). */
    private boolean cutting;
    /** Synchronous halving: how many tasks of the run claim at once (the application's cores), for {@link #shareOfOpen}. */
    private int slots = 1;
    /**
     * Synchronous halving: rows this worker wrote below the top rung (only those can complete a
     * rung to cut), and how many when it last cut, so that a worker that wrote none since does
     * not cut again.
     */
    private long writtenBelowTop;

    private long writtenAtCut;
    /**
     * Synchronous halving: the most the first claim after a cut takes, its share of the rows the
     * cut added (over the run's slots); 0: no limit. The other tasks wait at the barrier for the
     * same rows, so a rung of 333 rows runs as two claims of 167, not as 200 and 133 (or 111 and
     * none): the cut's count is known, so the share costs no query.
     */
    private int shareAfterCut;
    /** Synchronous halving: per table, the cuts of the tasks of one JVM, made one at a time ({@link #runRemainingThroughRungs}). */
    private static final ConcurrentHashMap<String, Cuts> CUTS = new ConcurrentHashMap<>();

    /** The cuts the tasks of this JVM made on one table: how many, and the last one's run and rows added. */
    private static final class Cuts {
        long made;
        String runId;
        int added;

        /** How many cuts were made, to compare with a later count: -1 while the last was another run's. */
        synchronized long made(String run) {
            return run.equals(runId) ? made : -1;
        }
    }

    /**
     * Synchronous halving: one monitor per table, notified when a task of this JVM wrote or
     * released rows or cut, so that a task waiting at a rung's barrier ({@link
     * #awaitRunIdleOrCut}) looks again at once; rows of tasks in other JVMs are seen at its next
     * timed look.
     */
    private static final ConcurrentHashMap<String, Object> WRITTEN = new ConcurrentHashMap<>();

    public Worker(ExperimentStore store, Experiment experiment, String runId, String executor, String sparkApp) {
        this.store = store;
        this.runId = runId;
        this.executor = executor;
        this.sparkApp = sparkApp;
        this.machine = hostName();
        this.db = new RetryingConnection(store);
        this.claims = new ClaimRunner(store, experiment, executor, sparkApp, stop);
        this.heartbeat = Heartbeat.shared(store);
        store.provenanceFor(experiment.getClass()); // found already when the store came from a driver
    }

    /** The GPU addresses Spark gave this worker's task, which every row it runs gets. */
    public Worker withGpus(List<String> gpus) {
        claims.gpus = List.copyOf(gpus);
        return this;
    }

    /**
     * Asynchronous halving: promote rows of this run's scope before claiming, and run the
     * promoted rows the scope takes ({@link Halving#promoteFrom}). A worker not told so (run-one,
     * a reproduction) runs the rows it is given and promotes nothing.
     */
    public Worker promotingWithin(RunScope scope) {
        this.promoting = scope;
        return this;
    }

    /**
     * Synchronous halving: once nothing of the scope is left to claim, {@link
     * #runRemainingThroughRungs} waits until no row of this run is running, cuts the complete
     * rungs and runs the rows the cut added, so a rung costs no Spark job of its own. The run's
     * driver still cuts between its rounds and after them (rows another run finished).
     */
    public Worker cuttingRungs(int slots) {
        this.cutting = true;
        this.slots = Math.max(1, slots);
        return this;
    }

    /** Asks the worker to stop claiming; the running experiment may finish, claimed rows not started are released. */
    public void stop() {
        stop.stop();
    }

    /**
     * Also stop once this turns true: a Spark task that was killed (job cancelled on Ctrl-C or
     * SIGTERM) says so through its TaskContext even when the interrupt went astray.
     */
    public void stopWhen(BooleanSupplier condition) {
        stop.stopWhen(condition);
    }

    /**
     * Whether the worker stops: told so, its task cancelled, or its JVM shutting down (Ctrl-C or
     * SIGTERM to a local driver: until Spark kills the task, each claim would be released unrun).
     */
    public boolean isStopping() {
        return stop.getAsBoolean() || StoppedFromOutside.shuttingDown();
    }

    /**
     * Whether a task may find work: a created row in the scope, or, with asynchronous halving,
     * results to promote from (which a look before a claim finds).
     */
    public boolean mayFindWork(RunScope scope) {
        return (promoting != null && asyncHalving()) || anyOpen(scope);
    }

    /** Whether a created row is in the scope. */
    private boolean anyOpen(RunScope scope) {
        return db.withRetry("look for open rows of " + store.table(), c -> store.hasOpen(c, scope));
    }

    /** Rows this worker wrote, per final status. */
    public Map<Status, Long> counts() {
        return counts;
    }

    /** How many rows to claim at once: one for slow experiments, more for fast ones. */
    int batchSize() {
        double averageMillis = claims.averageMillis();
        if (averageMillis < 0) {
            return 1;
        }
        long n = Math.round(TARGET_BATCH_MILLIS / Math.max(averageMillis, 0.01));
        return (int) Math.max(1, Math.min(MAX_BATCH, n));
    }

    /** Claims and runs those of the given candidate rows that are still open. */
    public void runCandidates(List<ClaimedRow> candidates) {
        runCandidates(candidates, null);
    }

    /**
     * The same, and between claims, at most once per heartbeat interval, first runs open rows
     * of the run's scope that were claimed before (recovered from a lost executor, released by
     * a stopped run): they would otherwise wait until a task has run its whole partition.
     */
    public void runCandidates(List<ClaimedRow> candidates, RunScope scope) {
        int i = 0;
        boolean missed = false;
        while (i < candidates.size() && !isStopping()) {
            if (scope != null) {
                runReturned(scope);
            }
            runPromoted();
            if (missed) {
                // other tasks took this partition's rows (a task that starts late, once the first
                // ones ran everything): pass the taken ones by with a read, not a claim each
                i = firstOpen(candidates, i);
                missed = false;
                continue;
            }
            if (isStopping()) {
                break;
            }
            int n = Math.min(batchSize(), candidates.size() - i);
            List<ClaimedRow> slice = candidates.subList(i, i + n);
            i += n;
            List<Long> ids = new ArrayList<>(n);
            Map<Long, Object[]> keys = new LinkedHashMap<>();
            for (ClaimedRow r : slice) {
                ids.add(r.id());
                keys.put(r.id(), r.keys());
            }
            Claim claim = newClaim();
            heartbeat.hold(claim.token());
            List<ClaimedRow> claimed =
                    db.withRetry("claim rows of " + store.table(), c -> store.claimIds(c, ids, claim));
            List<ClaimedRow> rows = new ArrayList<>(claimed.size());
            for (ClaimedRow r : claimed) {
                rows.add(new ClaimedRow(r.id(), keys.get(r.id()), r.experimentClass()));
            }
            missed = rows.isEmpty();
            if (missed) {
                heartbeat.drop(claim.token());
                continue;
            }
            runClaimed(rows, claim);
        }
        // asynchronous halving: with no new configuration left, workers go on promoting
        while (!isStopping() && runPromoted()) {
            // each turn ran one promoted row
        }
    }

    /** The index of the first candidate from {@code from} on whose row is still created, looking at most a batch ahead. */
    private int firstOpen(List<ClaimedRow> candidates, int from) {
        int to = Math.min(candidates.size(), from + MAX_BATCH);
        List<Long> ids = new ArrayList<>(to - from);
        for (ClaimedRow r : candidates.subList(from, to)) {
            ids.add(r.id());
        }
        Set<Long> open = db.withRetry("look for open rows of " + store.table(), c -> store.openAmong(c, ids));
        for (int i = from; i < to; i++) {
            if (open.contains(candidates.get(i).id())) {
                return i;
            }
        }
        return to;
    }

    /**
     * Asynchronous halving (ASHA): before a worker claims, it promotes rows whose results make
     * their rung's cut (as many as it claims at once) and runs the new rows first. It looks only
     * at the rungs it wrote results to since it last looked ({@link Halving#promoteFrom}): a
     * rung's cut moves only when a result arrives, and whoever writes the result looks. False
     * when nothing was promotable (or there is no asynchronous halving).
     */
    private boolean runPromoted() {
        return runPromoted(false);
    }

    /**
     * {@link #runPromoted()}; with {@code fill}, a claim that promoted fewer rows than it takes
     * at once takes open rows of the run's scope with them, in the promotion's transaction
     * ({@link ExperimentStore#promoteAndClaim(java.util.Collection, int, RunScope, Claim, boolean)}):
     * one transaction and one write less per promotion, which is what trivial experiments' runs
     * spend their time on (PostgreSQL, 1,000 configurations: ASHA's overhead over a flat grid from
     * about 30% to 18%). Where the claim holds more work ({@link #SHARE_MILLIS}) the promoted rows
     * run alone: claims of a few promoted rows near the run's end balance the tasks better (with
     * 1 ms experiments filled claims cost 5 to 8% of the run).
     */
    private boolean runPromoted(boolean fill) {
        if (promoting == null || !asyncHalving() || unsettled.isEmpty() || isStopping()) {
            return false;
        }
        int limit = batchSize();
        // the rows promoted are claimed in the promotion's transaction: the claim's token beats from before it
        Claim claim = newClaim();
        heartbeat.hold(claim.token());
        ExperimentStore.PromotedClaim promoted;
        try {
            promoted = store.promoteAndClaim(unsettled, limit, promoting, claim, fill);
        } catch (RuntimeException e) {
            heartbeat.drop(claim.token()); // what the claim may hold returns to created when its lease ends
            throw e;
        }
        if (promoted.added() < limit) {
            unsettled.clear(); // every candidate of these rungs is promoted now
        }
        if (promoted.claimed().isEmpty()) {
            // nothing promotable, or promoted rows the run's scope does not take: they wait for another run
            heartbeat.drop(claim.token());
            return promoted.added() > 0;
        }
        runClaimed(promoted.claimed(), claim);
        return true;
    }

    private void runReturned(RunScope scope) {
        long now = System.nanoTime();
        if (now < nextReturnedCheck) {
            return;
        }
        nextReturnedCheck = now + store.config().heartbeatInterval().toNanos();
        RunScope returned = scope.returned();
        if (db.withRetry("look for returned rows of " + store.table(), c -> store.hasOpen(c, returned))) {
            runRemaining(returned, 1);
        }
    }

    /**
     * Claims and runs open rows of the scope until none is left or the worker stops; with
     * asynchronous halving, promotes before each claim and, with nothing left, until nothing is
     * promotable.
     */
    public void runRemaining(RunScope scope) {
        runRemaining(scope, MAX_BATCH);
    }

    /**
     * {@link #runRemaining}, and with {@link #cuttingRungs}, when nothing is left: waits until
     * the rows this run holds are done (the rung's barrier: its last rows run in other tasks),
     * cuts the complete rungs of the scope and goes on with the rows the cut added, until a cut
     * adds nothing to run. A worker that wrote no row since its last cut ends instead: it had no
     * part in the rung, and the workers that had cut it. Two workers cutting at once add the
     * rung's rows once (the cut is an insert-if-new); the one that added none runs them too.
     */
    public void runRemainingThroughRungs(RunScope scope) {
        while (true) {
            runRemaining(scope);
            long written = writtenBelowTop;
            if (!cutting || isStopping() || written == writtenAtCut) {
                return;
            }
            writtenAtCut = written;
            Cuts cuts = CUTS.computeIfAbsent(store.table(), t -> new Cuts());
            // a cut of this run that begins after this point finds every row this task wrote done (it
            // begins when no row of the run is running), so this task need not cut again, nor wait for
            // the run to be idle: it takes that cut's answer and goes on with the rows it added
            long seen = cuts.made(runId);
            if (!awaitRunIdleOrCut(cuts, seen)) {
                return;
            }
            int added;
            // the tasks of this JVM cut one after another, where at once both would read the table and
            // the second wait on the first's locks
            synchronized (cuts) {
                if (cuts.made(runId) > seen) {
                    added = cuts.added;
                } else {
                    added = store.halving().promote(scope);
                    cuts.made++;
                    cuts.runId = runId;
                    cuts.added = added;
                }
            }
            signalWritten();
            shareAfterCut = (added + slots - 1) / slots;
            if (isStopping() || (added == 0 && !anyOpen(scope))) {
                return;
            }
        }
    }

    /**
     * Waits until no row is running under this run, or a task of this JVM cut the run's rungs
     * since {@code seen}, looking from a few milliseconds up to a second apart (trivial
     * experiments end within a claim's quarter second, long ones need no faster look), and at
     * once when a task of this JVM wrote or cut ({@link #WRITTEN}). False when the worker stops
     * first.
     */
    private boolean awaitRunIdleOrCut(Cuts cuts, long seen) {
        long pause = 2;
        Object written = WRITTEN.computeIfAbsent(store.table(), t -> new Object());
        while (!isStopping()) {
            if (cuts.made(runId) > seen
                    || db.withRetry("count the running rows of " + store.table(), c -> store.heldBy(c, runId)) == 0) {
                return true;
            }
            try {
                synchronized (written) {
                    written.wait(pause);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            pause = Math.min(1000, pause * 3 / 2 + 1);
        }
        return false;
    }

    private void runRemaining(RunScope scope, int maxBatch) {
        while (!isStopping()) {
            if (maxBatch > 1) {
                // rows that ran before are claimed alone, so the batches below pass them by: run them first
                runReturned(scope);
                // asynchronous halving: promoted rows before new configurations, in one claim when the
                // scope is the one promotions keep to (the run's) and the claim's work is short
                if (runPromoted(scope.equals(promoting) && claims.averageMillis() * batchSize() < SHARE_MILLIS)) {
                    continue;
                }
            }
            if (isStopping()) {
                return; // told to stop while it looked for returned or promoted rows
            }
            int batch = Math.min(batchSize(), maxBatch);
            int n = Math.min(cutting ? shareOfOpen(scope, batch) : batch, shareAfterCut > 0 ? shareAfterCut : batch);
            shareAfterCut = 0;
            Claim claim = newClaim();
            heartbeat.hold(claim.token());
            String what = "claim rows of " + store.table();
            List<ClaimedRow> rows = db.withRetry(what, c -> store.claimNext(c, n, scope, claim));
            if (rows.isEmpty() && n > 1 && !isStopping()) {
                // a claim of several rows takes only rows that never ran; those that did run alone
                // (not after a stop that came while the first claim waited, behind a cut's lock say)
                rows = db.withRetry(what, c -> store.claimNext(c, 1, scope, claim));
            }
            if (rows.isEmpty()) {
                heartbeat.drop(claim.token());
                if (maxBatch > 1 && runPromoted()) {
                    continue; // asynchronous halving: with no new configuration left, go on promoting
                }
                return;
            }
            runClaimed(rows, claim);
        }
    }

    /**
     * Synchronous halving: how many rows to claim, at most n. Where n rows take longer than
     * {@link #SHARE_MILLIS}, at most this task's share of the open rows (what is left over the
     * run's slots), so that near a rung's end no task holds a long claim while the others wait at
     * the barrier: with 2 slots and 1 ms experiments, a claim of 200 rows against a claim of the
     * last 40 kept one core idle 160 ms. Claims of trivial experiments (a few ms) are left whole:
     * the count would cost more than the wait it saves.
     */
    private int shareOfOpen(RunScope scope, int n) {
        if (slots == 1 || n == 1 || claims.averageMillis() * n < SHARE_MILLIS) {
            return n;
        }
        long open = db.withRetry("count the open rows of " + store.table(), c -> store.countOpen(c, scope, n * slots));
        return (int) Math.max(1, Math.min(n, (open + slots - 1) / slots));
    }

    /**
     * Runs the rows of a claim and writes their outcomes together at the end: one commit per
     * claim, and the claim size keeps a batch near a quarter second of work, so slow experiments
     * are written one by one and fast ones in groups.
     */
    private void runClaimed(List<ClaimedRow> rows, Claim claim) {
        List<Outcome> outcomes = new ArrayList<>(rows.size());
        try {
            claims.run(rows, claim, outcomes);
        } finally {
            write(outcomes, claim);
            noteRungs(rows, outcomes);
            if (outcomes.size() < rows.size()) {
                // rows of the claim not started (stopping, or the task failing) go back to created
                int released = db.withRetry("release rows of " + store.table(), c -> store.release(c, claim));
                if (released > 0) {
                    LOG.info("released " + released + " claimed rows of " + store.table() + " back to created");
                }
            }
            heartbeat.drop(claim.token());
            if (cutting) {
                signalWritten();
            }
        }
    }

    /** Wakes the tasks of this JVM waiting at a rung's barrier of this table ({@link #awaitRunIdleOrCut}). */
    private void signalWritten() {
        Object written = WRITTEN.computeIfAbsent(store.table(), t -> new Object());
        synchronized (written) {
            written.notifyAll();
        }
    }

    private boolean asyncHalving() {
        HalvingSettings h = store.config().halving();
        return h != null && h.mode() == HalvingSettings.Mode.ASYNC;
    }

    /**
     * The rungs that received results: asynchronous halving, for the next look before a claim;
     * synchronous, whether a cut may follow ({@link #runRemainingThroughRungs}).
     */
    private void noteRungs(List<ClaimedRow> rows, List<Outcome> outcomes) {
        boolean async = promoting != null && asyncHalving();
        if ((!cutting && !async) || outcomes.isEmpty()) {
            return;
        }
        Map<Long, Object[]> keys = new LinkedHashMap<>();
        rows.forEach(r -> keys.put(r.id(), r.keys()));
        for (Outcome o : outcomes) {
            Object[] k = keys.get(o.id());
            if (k == null) {
                continue;
            }
            if (cutting && store.halving().belowTopRung(k)) {
                writtenBelowTop++;
            }
            if (async && o.status() == Status.DONE) {
                Halving.Rung rung = store.halving().rungOf(k);
                if (rung != null) {
                    unsettled.add(rung);
                }
            }
        }
    }

    private void write(List<Outcome> outcomes, Claim claim) {
        if (outcomes.isEmpty()) {
            return;
        }
        List<Outcome> stored = outcomes;
        List<Boolean> written;
        try {
            written = db.withRetry(
                    "write " + outcomes.size() + " experiments of " + store.table(),
                    c -> store.finishAll(c, claim, outcomes));
        } catch (PermanentStoreException e) {
            // one outcome the database refuses must not cost the others: write them one by one
            stored = new ArrayList<>(outcomes.size());
            written = new ArrayList<>(outcomes.size());
            for (Outcome o : outcomes) {
                Outcome s = o;
                boolean w;
                try {
                    w = db.withRetry(
                            "write experiment " + o.id() + " of " + store.table(), c -> store.finish(c, claim, o));
                } catch (PermanentStoreException refused) {
                    s = unstorable(o, refused);
                    Outcome error = s;
                    w = db.withRetry(
                            "write experiment " + o.id() + " of " + store.table(), c -> store.finish(c, claim, error));
                }
                stored.add(s);
                written.add(w);
            }
        }
        for (int i = 0; i < stored.size(); i++) {
            Outcome o = stored.get(i);
            // a write retried after its commit went through unanswered finds the row already finished: ours
            if (written.get(i)
                    || db.withRetry(
                            "check experiment " + o.id() + " of " + store.table(),
                            c -> store.finishedUnder(c, o.id(), claim))) {
                counts.merge(o.status(), 1L, Long::sum);
            } else {
                LOG.warning("experiment " + o.id() + " of " + store.table() + " finished as "
                        + o.status().dbName()
                        + " but its claim " + claim.token()
                        + " was lost (lease expired, reset or taken over); this attempt's result was discarded");
            }
        }
    }

    /** The outcome written instead of one the database refused: an error with the database's message. */
    private Outcome unstorable(Outcome o, PermanentStoreException refused) {
        String message = "unstorable: the " + o.status().dbName() + " outcome of experiment " + o.id()
                + " could not be written: " + refused.getMessage();
        LOG.warning(message);
        return new Outcome(
                o.id(),
                Status.ERROR,
                Map.of(),
                Map.of(),
                "unstorable",
                message,
                o.measure(),
                new Outcome.Ran(
                        o.ran().sparkApp(),
                        null,
                        o.ran().runtimeVersion(),
                        o.ran().packages()),
                false);
    }

    private Claim newClaim() {
        return new Claim(runId, executor, machine, runId + "/" + executor + "/" + SEQUENCE.incrementAndGet(), sparkApp);
    }

    @Override
    public void close() {
        heartbeat.close();
        claims.close();
        db.close();
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown-host";
        }
    }
}
