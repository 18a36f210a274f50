package org.experimenter.web;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.experimenter.ExperimenterException;
import org.experimenter.Status;
import org.experimenter.StoreException;
import org.experimenter.store.CodeVersionCount;
import org.experimenter.store.ExperimentStore;
import org.experimenter.store.PageReads;
import org.experimenter.store.dialect.Redact;

/**
 * The overview, looked at again every refresh interval by one timer thread however many pages
 * are open: rows per status (the status index), the largest attempt id (a primary-key lookup),
 * the running rows per run (the status index) and the attempts added since the last look. Rates
 * are finished attempts per second over the last minute (since its start, for a younger run) of
 * the runs going (rows running, or an attempt ended in the last 10 s), per run and in all; the ETA
 * is the open rows (created and running) at that rate. The code versions of the done rows (as
 * {@code status} reads them, with its warning when there is more than one) are read again when the
 * rows changed, at most every 30 s. The counts and the largest attempt id make the
 * {@link Snapshot#version() version} by which cached evaluations know that the rows changed.
 */
final class Overview implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Overview.class.getName());
    private static final long RATE_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** A run whose last attempt ended this recently still counts as going. */
    private static final long RECENT_MILLIS = 10_000;
    /** The code versions of the done rows are read again when the rows changed, at most this often. */
    private static final long CODE_VERSIONS_NANOS = TimeUnit.SECONDS.toNanos(30);

    /** One run as the overview shows it. */
    record RunView(
            String runId,
            String sparkApp,
            Instant firstStart,
            Instant lastEnd,
            long attempts,
            Map<String, Long> outcomes,
            long running,
            Double rate,
            boolean active) {}

    /** What the overview shows at one moment. */
    record Snapshot(
            long seq,
            Instant asOf,
            String version,
            Map<String, Long> counts,
            long total,
            long finished,
            Double rate,
            Double etaSeconds,
            List<RunView> runs,
            int runCount,
            boolean historyComplete,
            String problem,
            List<CodeVersionCount> codeVersions,
            String codeVersionWarning) {}

    private record Sample(long nanos, Map<String, Long> finished) {}

    /** The most runs listed; the count says how many there are. */
    private static final int MAX_RUNS_SHOWN = 50;

    private final ExperimentStore store;
    private final PageReads pages;
    private final Duration interval;
    private final RunHistory history = new RunHistory();
    private final Deque<Sample> samples = new ArrayDeque<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "experimenter-web-overview");
        t.setDaemon(true);
        return t;
    });
    private final Object changed = new Object();
    private volatile Snapshot latest;
    private long seq;
    /** The version of the rows the code versions were read at (null: not yet), when, and what they were. */
    private String codeVersionsOf;

    private long codeVersionsAt;
    private List<CodeVersionCount> codeVersions = List.of();

    Overview(ExperimentStore store, Duration interval) {
        this.store = store;
        this.pages = store.pages();
        this.interval = interval;
    }

    void start() {
        timer.scheduleWithFixedDelay(this::tick, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    Duration interval() {
        return interval;
    }

    /** The latest snapshot; the first call waits for the first look. */
    Snapshot latest() {
        Snapshot s = latest;
        if (s != null) {
            return s;
        }
        synchronized (changed) {
            while (latest == null) {
                try {
                    changed.wait(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ExperimenterException("interrupted while waiting for the first look at the table");
                }
            }
            return latest;
        }
    }

    /** The version of the rows: it changes whenever a count per status or the attempts table changes. */
    String version() {
        return latest().version();
    }

    /** Waits until a snapshot newer than seq is taken, at most timeoutMillis; returns the latest. */
    Snapshot awaitAfter(long seqSeen, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        synchronized (changed) {
            while (latest == null || latest.seq() <= seqSeen) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    break;
                }
                changed.wait(left);
            }
        }
        return latest();
    }

    /** Looks at the table now (the timer does this every interval; an action does it at once). */
    void lookNow() {
        timer.execute(this::tick);
    }

    private void tick() {
        Snapshot s;
        try {
            s = look();
        } catch (RuntimeException e) {
            // the database may be down for a while: say so on the page and look again next time
            String why = Redact.text(
                    String.valueOf(e.getMessage()),
                    store.config().url(),
                    store.config().password());
            LOG.log(Level.WARNING, "web view: cannot read " + store.table() + ": " + why);
            Snapshot last = latest;
            s = new Snapshot(
                    nextSeq(),
                    Instant.now(),
                    last == null ? "unreadable" : last.version(),
                    last == null ? zeroCounts() : last.counts(),
                    last == null ? 0 : last.total(),
                    last == null ? 0 : last.finished(),
                    null,
                    null,
                    last == null ? List.of() : last.runs(),
                    last == null ? 0 : last.runCount(),
                    last != null && last.historyComplete(),
                    why,
                    last == null ? List.of() : last.codeVersions(),
                    last == null ? null : last.codeVersionWarning());
        }
        synchronized (changed) {
            latest = s;
            changed.notifyAll();
        }
    }

    private synchronized long nextSeq() {
        return ++seq;
    }

    private Snapshot look() {
        PageReads.TableState seen = pages.look();
        Map<Status, Long> byStatus = seen.counts();
        long maxAttempt = seen.maxAttemptId();
        boolean complete = history.catchUp(pages, maxAttempt);
        List<PageReads.Running> running = seen.running();

        long now = System.nanoTime();
        Map<String, Long> finished = history.finishedByRun();
        samples.addLast(new Sample(now, finished));
        while (samples.size() > 2 && now - samples.peekFirst().nanos() > RATE_WINDOW_NANOS) {
            samples.removeFirst();
        }
        Sample oldest = samples.peekFirst();
        double seconds = (now - oldest.nanos()) / 1e9;

        Map<String, Long> runningByRun = new HashMap<>();
        for (PageReads.Running r : running) {
            runningByRun.merge(r.runId() == null ? "" : r.runId(), r.rows(), Long::sum);
        }
        List<RunView> runs = new ArrayList<>();
        double totalRate = 0;
        boolean anyActive = false;
        Instant wallNow = Instant.now();
        for (RunHistory.Run r : history.runs()) {
            Double rate = null;
            long done = finished.getOrDefault(r.runId(), 0L);
            double since = r.firstStart() == null
                    ? 0
                    : (wallNow.toEpochMilli() - r.firstStart().toEpochMilli()) / 1e3;
            if (since > 1 && since < seconds) {
                // a run younger than the samples: its rate since it started, not diluted by the time before
                rate = done / since;
            } else if (seconds >= 1) {
                rate = (done - oldest.finished().getOrDefault(r.runId(), 0L)) / seconds;
            }
            long held = runningByRun.getOrDefault(r.runId(), 0L);
            // running rows now, or an attempt finished a moment ago (between two claims)
            boolean active = held > 0
                    || (r.lastEnd() != null
                            && wallNow.toEpochMilli() - r.lastEnd().toEpochMilli() < RECENT_MILLIS);
            if (!active) {
                rate = null;
            }
            anyActive |= active;
            totalRate += rate == null ? 0 : rate;
            runs.add(new RunView(
                    r.runId(),
                    r.sparkApp(),
                    r.firstStart(),
                    r.lastEnd(),
                    r.attempts(),
                    r.outcomes(),
                    held,
                    rate,
                    active));
        }
        // runs whose rows are running but that finished no attempt yet
        for (PageReads.Running r : running) {
            String id = r.runId() == null ? "" : r.runId();
            if (!finished.containsKey(id)) {
                anyActive = true;
                runs.add(0, new RunView(id, r.sparkApp(), r.firstStart(), null, 0, Map.of(), r.rows(), null, true));
                finished.put(id, 0L);
            }
        }
        int runCount = runs.size();
        if (runs.size() > MAX_RUNS_SHOWN) {
            runs = new ArrayList<>(runs.subList(0, MAX_RUNS_SHOWN));
        }

        Map<String, Long> counts = new LinkedHashMap<>();
        long total = 0;
        for (Map.Entry<Status, Long> e : byStatus.entrySet()) {
            counts.put(e.getKey().dbName(), e.getValue());
            total += e.getValue();
        }
        long done = counts.get(Status.DONE.dbName());
        long open = counts.get(Status.CREATED.dbName()) + counts.get(Status.RUNNING.dbName());
        // no rate without a run going: 0 rows/s would read as a stalled run
        Double rate = seconds >= 1 && anyActive ? totalRate : null;
        Double eta = anyActive && rate != null && rate > 0 ? open / rate : null;
        String version = counts.values() + ":" + maxAttempt;
        if (!version.equals(codeVersionsOf)
                && (codeVersionsOf == null || now - codeVersionsAt >= CODE_VERSIONS_NANOS)) {
            codeVersions = readCodeVersions();
            codeVersionsOf = version;
            codeVersionsAt = now;
        }
        return new Snapshot(
                nextSeq(),
                Instant.now(),
                version,
                counts,
                total,
                done + counts.get(Status.ERROR.dbName()),
                rate,
                eta,
                runs,
                runCount,
                complete,
                null,
                codeVersions,
                CodeVersionCount.warning(store.table(), codeVersions));
    }

    /** The code versions of the done rows, as status reads them; none for a table that records none. */
    private List<CodeVersionCount> readCodeVersions() {
        try {
            return List.copyOf(store.codeVersionsOfDoneRows());
        } catch (StoreException olderTable) {
            // an attempts table of an earlier version has no code_version until a run adds it
            return List.of();
        }
    }

    private static Map<String, Long> zeroCounts() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Status s : Status.values()) {
            m.put(s.dbName(), 0L);
        }
        return m;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
