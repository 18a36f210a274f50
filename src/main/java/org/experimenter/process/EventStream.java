package org.experimenter.process;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
    /** The longest line read; a longer one fails the row rather than the JVM's memory. */
    static final int MAX_LINE = 16 * 1024 * 1024;

    private final Path file;
    private long offset;
    private int line;
    private int writes;
    private boolean paused;

    EventStream(Path file) {
        this.file = file;
    }

    /**
     * Applies the lines appended since the last call to the context, one at a time: complete lines
     * only while the process runs, the last one too once it has ended. Counts the lines that wrote
     * results or log rows, also when a later line fails ({@link #takeWrites}).
     */
    void apply(ExperimentContext ctx, boolean ended) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(offset);
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                int from = 0;
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        append(text, buf, from, i - from);
                        apply(ctx, text);
                        offset += text.size() + 1;
                        text.reset();
                        from = i + 1;
                    }
                }
                append(text, buf, from, n - from);
            }
            if (ended && text.size() > 0) {
                apply(ctx, text); // the last line needs no newline once the process has exited
                offset += text.size();
            }
        }
    }

    private void append(ByteArrayOutputStream text, byte[] buf, int from, int length) {
        if (text.size() + length > MAX_LINE) {
            line++;
            throw fail("longer than " + MAX_LINE / (1024 * 1024) + " MB; an event is one JSON object of results"
                    + " or one log row per line");
        }
        text.write(buf, from, length);
    }

    private void apply(ExperimentContext ctx, ByteArrayOutputStream bytes) {
        line++;
        String text = bytes.toString(StandardCharsets.UTF_8);
        if (!text.isBlank()) {
            writes += applyLine(ctx, text);
        }
    }

    /** How many lines wrote results or log rows since the last call (the caller flushes when any did). */
    int takeWrites() {
        int n = writes;
        writes = 0;
        return n;
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
