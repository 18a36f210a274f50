package org.experimenter.command;

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

    /**
     * The program's standard output, or null when it cannot start, exits with a code other than 0,
     * or runs past {@code limit} (then it is killed). Its standard error is discarded; no shell.
     */
    public static String of(List<String> argv, Duration limit) {
        Path out = null;
        try {
            out = Files.createTempFile("experimenter-program", ".out");
            Process p = new ProcessBuilder(argv)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                return null;
            }
            if (p.exitValue() != 0) {
                return null;
            }
            try (InputStream in = Files.newInputStream(out)) {
                return new String(in.readNBytes(MAX_BYTES), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a temporary file left behind
                }
            }
        }
    }
}
