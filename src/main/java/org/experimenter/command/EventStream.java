package org.experimenter.command;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.experimenter.ExperimentContext;
import org.experimenter.ExperimenterException;

/**
 * The events file of a running command: JSON lines that it appends, read from where the last
 * read stopped, complete lines only (the last line counts once the process has exited).
 * Each line is one of
 *
 * <pre>
 * {"results": {"loss": 0.31}}                      intermediate results (as results().put, then flush)
 * {"log": "epochs", "row": {"epoch": 3, "loss": 0.31}}   a row of a declared log table (as log())
 * {"status": "paused"}                              end the row as paused (as pause())
 * </pre>
 *
 * A line that is none of these fails the experiment, naming the file and the line.
 */
final class EventStream {
    private final Path file;
    private long offset;
    private int line;
    private boolean paused;

    EventStream(Path file) {
        this.file = file;
    }

    /**
     * Applies the lines appended since the last call to the context; returns how many of them
     * wrote results or log rows (the caller flushes when any did).
     */
    int apply(ExperimentContext ctx, boolean ended) throws IOException {
        byte[] bytes;
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long length = f.length();
            if (length <= offset) {
                return 0;
            }
            bytes = new byte[(int) Math.min(length - offset, 64L * 1024 * 1024)];
            f.seek(offset);
            f.readFully(bytes);
        }
        int end = bytes.length;
        if (!ended) {
            // a line the process is still writing waits for its newline
            while (end > 0 && bytes[end - 1] != '\n') {
                end--;
            }
        }
        int writes = 0;
        int start = 0;
        while (start < end) {
            int stop = start;
            while (stop < end && bytes[stop] != '\n') {
                stop++;
            }
            line++;
            String text = new String(bytes, start, stop - start, StandardCharsets.UTF_8);
            if (!text.isBlank()) {
                writes += applyLine(ctx, text);
            }
            start = stop + 1;
        }
        offset += end;
        return writes;
    }

    @SuppressWarnings("unchecked")
    private int applyLine(ExperimentContext ctx, String text) {
        Map<String, Object> event;
        try {
            event = Json.object(text);
        } catch (Json.NotAnObject e) {
            throw fail(e.getMessage());
        }
        try {
            if (event.size() == 1 && event.get("results") instanceof Map) {
                ctx.results().putAll((Map<String, ?>) event.get("results"));
                return 1;
            }
            if (event.size() == 2 && event.get("log") instanceof String && event.get("row") instanceof Map) {
                ctx.log((String) event.get("log"), (Map<String, ?>) event.get("row"));
                return 1;
            }
            if (event.size() == 1 && "paused".equals(event.get("status"))) {
                ctx.pause();
                paused = true;
                return 0;
            }
        } catch (ExperimenterException e) {
            throw fail(e.getMessage());
        }
        throw fail("expected {\"results\": {...}}, {\"log\": \"<table>\", \"row\": {...}} or {\"status\": \"paused\"},"
                + " found " + Json.abbreviate(text));
    }

    /** Whether a line said {"status": "paused"}. */
    boolean paused() {
        return paused;
    }

    private CommandFailure fail(String message) {
        return new CommandFailure("events file " + file + ", line " + line + ": " + message);
    }
}
