package org.experimenter.process;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a short program the tool asks something of ({@code git}, {@code nvidia-smi}) prints, within
 * a time limit: its output goes to a file while the tool waits with the limit, so a program that
 * hangs is killed at the limit rather than holding its caller until it ends.
 */
public final class ProgramOutput {
    /** At most this much of the output is read. */
    private static final int MAX_BYTES = 1 << 20;

    private ProgramOutput() {}

    /** How a program ended: its exit code and what it printed; timedOut when it was killed at the limit. */
    public record Ended(int exitCode, String out, String err, boolean timedOut) {}

    /**
     * The program's standard output, or null when it cannot start, exits with a code other than 0,
     * or runs past {@code limit} (then it is killed). Its standard error is discarded; no shell.
     */
    public static String of(List<String> argv, Duration limit) {
        try {
            Ended e = run(argv, limit);
            return e.timedOut() || e.exitCode() != 0 ? null : e.out();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Runs the program with an argument list (no shell), its input /dev/null, its output and error
     * into files while the caller waits with the limit; past the limit it is killed with its
     * descendants. At most 1 MiB of each is read. An interrupt kills it and ends as a time-out,
     * the interrupt kept.
     *
     * @throws IOException when the program cannot be started
     */
    public static Ended run(List<String> argv, Duration limit) throws IOException {
        Path out = Files.createTempFile("experimenter-program", ".out");
        Path err = Files.createTempFile("experimenter-program", ".err");
        try {
            Process p = start(new ProcessBuilder(argv)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile()));
            boolean ended;
            try {
                ended = p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ended = false;
            }
            if (!ended) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                return new Ended(-1, read(out), read(err), true);
            }
            return new Ended(p.exitValue(), read(out), read(err), false);
        } finally {
            delete(out);
            delete(err);
        }
    }

    /**
     * Starts the process; a start refused with "Text file busy" is tried again for up to a second.
     * A program written just before (a script the caller made) is busy while any process holds it
     * open for writing, and a child forked by another thread of this JVM at that moment holds the
     * writer's descriptor until it executes its own program: a refusal of a few milliseconds that
     * would otherwise read as a program that fails. (Not for the processes of a row: {@link
     * ProcessTree} starts setsid, which starts the program and would report the refusal itself.)
     */
    static Process start(ProcessBuilder builder) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (true) {
            try {
                return builder.start();
            } catch (IOException e) {
                if (!textFileBusy(e) || System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static boolean textFileBusy(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("error=26,") || m.contains("Text file busy"))) {
                return true;
            }
        }
        return false;
    }

    private static String read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readNBytes(MAX_BYTES), StandardCharsets.UTF_8);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a temporary file left behind
        }
    }
}
