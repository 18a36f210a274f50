package org.experimenter.spark;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.experimenter.Experiment;
import org.experimenter.ExperimenterException;
import org.experimenter.Parameters;
import org.experimenter.Status;
import org.experimenter.config.ResourceSettings;
import org.experimenter.config.Resources;
import org.experimenter.energy.Energy;
import org.experimenter.provenance.AttemptFacts;
import org.experimenter.store.Claim;
import org.experimenter.store.ClaimedRow;
import org.experimenter.store.Outcome;

/**
 * The rows of one claim (or its rest after a row was given up), run one after another on the
 * runner thread: one hand-off between threads per claim rather than per experiment. Either the runner finishes the running experiment or
 * the supervisor gives it up, never both: they decide under the sequence's lock. Owns the measure
 * of each experiment it runs (wall and CPU time, allocated bytes) and its outcome; the outcomes
 * are written by the task thread after the sequence ends.
 */
final class RowSequence implements Runnable {
    private final ClaimRunner owner;
    private final List<ClaimedRow> rows;
    private final Claim claim;
    private final List<Outcome> outcomes = new ArrayList<>();
    private boolean givenUp;
    volatile Running current;
    volatile Thread thread;

    /** The experiment running on the runner thread, as the supervising task thread sees it. */
    record Running(
            ClaimedRow row,
            RowContext ctx,
            Instant start,
            long startNanos,
            org.experimenter.energy.EnergyMeter.Start meterStart) {}

    RowSequence(ClaimRunner owner, List<ClaimedRow> rows, Claim claim) {
        this.owner = owner;
        this.rows = rows;
        this.claim = claim;
    }

    synchronized List<Outcome> outcomes() {
        return new ArrayList<>(outcomes);
    }

    synchronized boolean giveUp(Running r) {
        if (current != r || givenUp) {
            return false;
        }
        givenUp = true;
        return true;
    }

    private synchronized boolean start(Running r) {
        if (givenUp) {
            return false;
        }
        current = r;
        return true;
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        for (ClaimedRow row : rows) {
            // a JVM shutting down (a signal from outside, e.g. Slurm's scancel) starts no more rows: they are released
            if (owner.stop.getAsBoolean() || StoppedFromOutside.shuttingDown() || !execute(row)) {
                return;
            }
        }
    }

    /** Runs one experiment; false when the supervisor gave it up meanwhile. */
    private boolean execute(ClaimedRow row) {
        Map<String, Object> params = new LinkedHashMap<>();
        for (int i = 0; i < owner.keyfields.size(); i++) {
            params.put(
                    owner.keyfields.get(i).name(), owner.keyfields.get(i).type().coerce(row.keys()[i]));
        }
        Experiment e = owner.experimentFor(row);
        RowContext ctx = new RowContext(owner.store, row.id(), claim.token(), new Parameters(params), owner.stop);
        ResourceSettings settings = owner.store.config().resources();
        // the level of resources.escalate: one up for each attempt of the row that ran out of memory
        int level = settings.escalation().isEmpty() ? 0 : owner.store.outOfMemoryAttempts(row.id());
        Resources given = settings.level(level);
        ctx.assign(owner.gpus, given);
        Running running = new Running(
                row,
                ctx,
                owner.store.now(),
                System.nanoTime(),
                owner.meter == null ? null : owner.meter.start(owner.gpus));
        if (!start(running)) {
            if (running.meterStart() != null && running.meterStart().gpu() != null) {
                running.meterStart().gpu().close();
            }
            return false;
        }
        long cpu0 = ThreadProbe.cpuNanos();
        long alloc0 = ThreadProbe.allocatedBytes();
        // a process's SIGKILL counts as out of memory only when the kernel's OOM killer ended a process meanwhile
        boolean processes = e != null && e.runsProcesses();
        long oomKills0 = processes ? OutOfMemory.kernelOomKills() : -1;
        AttemptFacts.begin();
        Throwable failure = null;
        try {
            if (e == null) {
                throw new ExperimenterException(
                        "experiment class " + row.experimentClass() + " of row " + row.id() + " cannot be loaded");
            }
            e.run(ctx);
        } catch (Throwable t) { // whatever the experiment throws, OutOfMemoryError included, is the row's error
            failure = t;
        }
        Thread.interrupted(); // an interrupt the experiment left behind must not reach the next one
        // a thread the experiment started called System.exit: the JVM ends because of the row, which
        // released would only run and end it again
        boolean exited = failure != null
                && ThreadProbe.anyCallsExit(Thread.currentThread().getThreadGroup());
        if (exited) {
            owner.stop.stop();
        }
        if (failure != null
                && !exited
                && (StoppedFromOutside.shuttingDown()
                        || (StoppedFromOutside.endedBySignal(failure) && StoppedFromOutside.stopping(owner.stop)))) {
            // a scheduler (scancel, a time limit) or a terminal signalled the whole job: the row's
            // process died of it, or the row failed as its JVM shut down; it goes back to created
            // with the claim's rest
            AttemptFacts.end();
            if (running.meterStart() != null && running.meterStart().gpu() != null) {
                running.meterStart().gpu().close();
            }
            return false;
        }
        try {
            ctx.finishArtifacts();
        } catch (RuntimeException t) { // files that cannot be listed or copied up fail the attempt
            if (failure == null) {
                failure = t;
            } else {
                failure.addSuppressed(t);
            }
        }
        long cpu = ThreadProbe.cpuNanos() - cpu0;
        long alloc = ThreadProbe.allocatedBytes() - alloc0;
        AttemptFacts facts = AttemptFacts.end();
        double millis = (System.nanoTime() - running.startNanos()) / 1e6;
        // a command's or Python worker's processes count as the attempt's CPU time too
        double cpuSeconds = cpu / 1e9 + facts.childCpuSeconds();
        Energy energy = running.meterStart() == null
                ? null
                : owner.meter.stop(running.meterStart(), cpuSeconds, millis / 1000.0);
        String runtime = facts.runtimeVersion() != null
                ? facts.runtimeVersion()
                : (owner.store.config().command() != null ? null : AttemptFacts.jvmVersion());
        Status status = Status.DONE;
        String kind = null;
        String error = null;
        boolean outOfMemory = false;
        if (failure != null) {
            status = Status.ERROR;
            OutOfMemory.Verdict memory = processes
                    ? OutOfMemory.of(failure, oomKills0, OutOfMemory.kernelOomKills())
                    : OutOfMemory.inThisJvm(failure);
            outOfMemory = memory.outOfMemory();
            kind = exited ? "exit" : outOfMemory ? Outcome.OUT_OF_MEMORY : "exception";
            error = exited
                    ? "exit: experiment " + row.id() + " " + params + " started a thread that called System.exit;"
                            + " the JVM is shutting down\n" + stackTrace(failure)
                    : memory.note() == null
                            ? stackTrace(failure)
                            : stackTrace(failure).stripTrailing() + "\n" + memory.note();
        } else if (ctx.paused()) {
            status = Status.PAUSED;
            kind = "paused";
        }
        Map<String, Object> values = status == Status.ERROR ? Map.of() : ctx.resultValues();
        Outcome o = new Outcome(
                row.id(),
                status,
                values,
                ctx.resultTimes(),
                kind,
                error,
                new Outcome.Measure(running.start(), millis / 1000.0, cpuSeconds, alloc, energy),
                new Outcome.Ran(
                        owner.sparkApp,
                        given.any() || owner.gpus.size() > 0 ? describe(given, owner.gpus) : null,
                        runtime,
                        facts.packages()),
                outOfMemory && settings.escalates(level));
        synchronized (this) {
            if (givenUp) {
                return false;
            }
            outcomes.add(o);
            current = null;
            owner.recordMillis(millis);
        }
        // the outcome is written after the sequence ends, so log rows still reach the table first
        ClaimRunner.writePendingLogs(ctx, row.id());
        return true;
    }

    /** What the attempts table keeps of an attempt's resources: {@code gpus=1 cpus=2 memory=8g gpu-addresses=0}. */
    static String describe(Resources given, List<String> gpus) {
        return given + (gpus.isEmpty() ? "" : " gpu-addresses=" + String.join(",", gpus));
    }

    static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
