package org.experimenter.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.experimenter.Experiment;
import org.experimenter.ExperimentContext;

/** Experiment functions used by tests. */
public final class Experiments {
    private Experiments() {}

    /**
     * Appends "id pid" to the file named by custom.execution-log for every execution (a record
     * kept outside the table), then writes score = x * 10 + seed. Throws for x = 13.
     */
    public static final class Logging implements Experiment {
        private static final long serialVersionUID = 1L;

        private static volatile boolean arrived;

        @Override
        public void run(ExperimentContext ctx) throws IOException {
            if (ctx.custom().hasPath("barrier-file") && !arrived) {
                awaitOthers(
                        Path.of(ctx.custom().getString("barrier-file")),
                        ctx.custom().getInt("barrier-count"));
            }
            Path log = Path.of(ctx.custom().getString("execution-log"));
            Files.write(
                    log,
                    (ctx.id() + " " + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE);
            long sleep = ctx.custom().hasPath("sleep-ms") ? ctx.custom().getLong("sleep-ms") : 0;
            if (sleep > 0) {
                try {
                    Thread.sleep(sleep);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            int x = ctx.parameters().getInt("x");
            if (x == 13) {
                throw new IllegalStateException("unlucky x " + x);
            }
            ctx.results().put("score", x * 10.0 + ctx.parameters().getInt("seed"));
        }

        /**
         * The first experiment of each JVM waits (at most two minutes) until n JVMs have arrived,
         * so that concurrent drivers really overlap however slowly each one starts.
         */
        private static synchronized void awaitOthers(Path barrier, int n) throws IOException {
            if (arrived) {
                return;
            }
            Files.write(
                    barrier,
                    (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE);
            long deadline = System.currentTimeMillis() + 120_000;
            while (Files.readAllLines(barrier).stream().distinct().count() < n
                    && System.currentTimeMillis() < deadline) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            arrived = true;
        }
    }

    /** Not serializable: holds a thread. */
    public static final class HoldsAThread implements Experiment {
        private static final long serialVersionUID = 1L;
        private final Thread thread = new Thread(() -> {});

        @Override
        public void run(ExperimentContext ctx) {
            ctx.results().put("score", thread.getId());
        }
    }

    /** Does not implement Experiment. */
    public static final class NotAnExperiment {}
}
