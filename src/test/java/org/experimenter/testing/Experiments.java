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

    /**
     * A synthetic objective for successive halving with a known ranking: val_loss = |x - t| +
     * x / 100, the target t = 4 (data set a) or 2 (b) plus the rung (log3 of epochs), so the best
     * configuration moves up by one with each rung. x = 7 of data set a fails at 1 epoch.
     */
    public static final class HalvingObjective implements Experiment {
        private static final long serialVersionUID = 1L;

        /** The objective itself, for tests that rank configurations by hand. */
        public static double loss(String dataset, int x, double epochs) {
            double target = (dataset.equals("a") ? 4 : 2) + Math.round(Math.log(epochs) / Math.log(3));
            return Math.abs(x - target) + x / 100.0;
        }

        @Override
        public void run(ExperimentContext ctx) {
            String dataset = ctx.parameters().getString("dataset");
            int x = ctx.parameters().getInt("x");
            double epochs = ctx.parameters().getDouble("epochs");
            if (dataset.equals("a") && x == 7 && epochs == 1) {
                throw new IllegalStateException("diverged");
            }
            ctx.results().put("val_loss", loss(dataset, x, epochs));
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
