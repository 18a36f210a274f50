package org.experimenter.web;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.experimenter.store.PageReads;
import org.experimenter.store.PageReads.Attempt;

/**
 * The runs seen in the attempts table, kept up to date by reading it forward from the last id
 * seen (its primary key): a table with a million attempts is read once, in chunks, and after
 * that each look reads only the attempts added since. Not thread-safe; {@link Overview} calls it
 * from its one timer thread.
 */
final class RunHistory {
    /**
     * Attempts read per query, and the most queries of one look (the rest waits for the next):
     * the first look reads one chunk, so that the counts show at once, the next ones up to ten.
     */
    private static final int CHUNK = 50_000;

    private static final int MAX_CHUNKS = 10;

    /** One run as its attempts show it. */
    record Run(
            String runId,
            String sparkApp,
            Instant firstStart,
            Instant lastEnd,
            long attempts,
            long finished,
            Map<String, Long> outcomes) {}

    private static final class Acc {
        final String runId;
        String sparkApp;
        Instant firstStart;
        Instant lastEnd;
        long attempts;
        long finished;
        final Map<String, Long> outcomes = new TreeMap<>();

        Acc(String runId) {
            this.runId = runId;
        }

        void add(Attempt a) {
            attempts++;
            if (!a.outcome().equals("released") && !a.outcome().equals("lost")) {
                finished++;
            }
            outcomes.merge(a.outcome(), 1L, Long::sum);
            if (a.sparkApp() != null) {
                sparkApp = a.sparkApp();
            }
            Instant start = a.start() != null ? a.start() : a.end();
            if (start != null && (firstStart == null || start.isBefore(firstStart))) {
                firstStart = start;
            }
            if (a.end() != null && (lastEnd == null || a.end().isAfter(lastEnd))) {
                lastEnd = a.end();
            }
        }

        Run snapshot() {
            return new Run(runId, sparkApp, firstStart, lastEnd, attempts, finished, new TreeMap<>(outcomes));
        }
    }

    private final Map<String, Acc> runs = new HashMap<>();
    private long lastId;
    private int looks;

    /** Reads the attempts added since the last call; true when it has read all of them. */
    boolean catchUp(PageReads pages, long maxId) {
        if (maxId < lastId) {
            // the table was dropped and made again: its history starts over
            runs.clear();
            lastId = 0;
        }
        int chunks = looks++ == 0 ? 1 : MAX_CHUNKS;
        for (int i = 0; i < chunks && lastId < maxId; i++) {
            List<Attempt> chunk = pages.attemptsAfter(lastId, CHUNK);
            if (chunk.isEmpty()) {
                break;
            }
            for (Attempt a : chunk) {
                String key = a.runId() == null ? "" : a.runId();
                runs.computeIfAbsent(key, Acc::new).add(a);
                lastId = a.id();
            }
        }
        return lastId >= maxId;
    }

    /** Finished attempts (neither released nor lost) per run id. */
    Map<String, Long> finishedByRun() {
        Map<String, Long> out = new HashMap<>();
        runs.forEach((k, v) -> out.put(k, v.finished));
        return out;
    }

    /** The runs, latest start first. */
    List<Run> runs() {
        List<Run> out = new ArrayList<>();
        for (Acc a : runs.values()) {
            out.add(a.snapshot());
        }
        out.sort(Comparator.comparing(Run::firstStart, Comparator.nullsLast(Comparator.reverseOrder()))
                .thenComparing(Run::runId));
        return out;
    }

    long lastId() {
        return lastId;
    }
}
