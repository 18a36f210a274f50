package org.experimenter.testing;

import com.typesafe.config.Config;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.SparkEnv;
import org.experimenter.Experiment;
import org.experimenter.ExperimentContext;

/**
 * The experiment of the fault checks. Before anything else it appends one line
 * {@code "id pid executor startMillis"} to {@code custom.execution-log}, a record of every
 * execution kept outside the table (one small O_APPEND write, so lines from several JVMs do
 * not mix). Then it sleeps and writes {@code score = x}, or misbehaves when its keyfield
 * {@code x} is listed in {@code custom.misbehave}:
 *
 * <pre>
 * custom {
 *   execution-log = /tmp/executions.log
 *   sleep-ms = 500                                  # or durations { median-ms, sigma, seed }
 *   misbehave { throw = [3], hang = [5], ignore-interrupt = [6], stubborn = [8], undeclared = [7], oom = [9], exit = [11], exit-elsewhere = [12], exit-elsewhere-and-fail = [13] }
 * }
 * </pre>
 *
 * {@code durations { median-ms, sigma, seed, heavy = [x...], heavy-factor }} gives each row a
 * log-normal duration, median x exp(sigma x N(0,1)), drawn from a generator seeded with seed
 * and x, so a table's durations are the same in every run; rows listed in heavy take
 * heavy-factor x the median.
 */
public final class FaultExperiment implements Experiment {
    private static final long serialVersionUID = 1L;

    @Override
    public void run(ExperimentContext ctx) throws Exception {
        Config custom = ctx.custom();
        int x = ctx.parameters().getInt("x");
        SparkEnv env = SparkEnv.get();
        String executor = env == null ? "none" : env.executorId();
        Files.write(
                Path.of(custom.getString("execution-log")),
                (ctx.id() + " " + ProcessHandle.current().pid() + " " + executor + " " + System.currentTimeMillis()
                                + "\n")
                        .getBytes(StandardCharsets.UTF_8),
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND,
                StandardOpenOption.WRITE);
        if (listed(custom, "throw", x)) {
            throw new IllegalStateException("experiment x = " + x + " throws on purpose");
        }
        if (listed(custom, "undeclared", x)) {
            ctx.results().put("not_a_result_field", 1.0);
        }
        if (listed(custom, "oom", x)) {
            // beyond the VM's limit for an array: the OutOfMemoryError comes at once, where 16 GiB
            // ("Java heap space") first made the JVM collect its whole heap, seconds on a loaded
            // machine, past the 3 s timeout of the test that lists this row
            long[] hog = new long[Integer.MAX_VALUE];
            ctx.results().put("score", (double) hog.length);
            return;
        }
        if (listed(custom, "exit", x)) {
            System.exit(3);
        }
        if (listed(custom, "exit-elsewhere", x)) {
            // a thread of the experiment's own ends the JVM, and the experiment waits for it
            Thread exiting = new Thread(() -> System.exit(3), "fault-exit");
            exiting.start();
            exiting.join();
        }
        if (listed(custom, "exit-elsewhere-and-fail", x)) {
            // a thread of the experiment's own ends the JVM, and the experiment fails meanwhile
            new Thread(() -> System.exit(3), "fault-exit").start();
            Thread.sleep(300);
            throw new IllegalStateException("failed while the JVM shuts down");
        }
        if (listed(custom, "hang", x)) {
            Thread.sleep(Long.MAX_VALUE);
        }
        if (listed(custom, "ignore-interrupt", x)) {
            // hangs and swallows interrupts; ends only when told the run is stopping (timeout, SIGTERM)
            while (!ctx.isStopping()) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ignored) {
                    // keeps hanging on purpose
                }
            }
            return;
        }
        long sleep = durationMillis(custom, x);
        if (listed(custom, "stubborn", x)) {
            // sleeps its whole duration, deaf to interrupts and to the run stopping
            long end = System.currentTimeMillis() + sleep;
            while (System.currentTimeMillis() < end) {
                try {
                    Thread.sleep(Math.max(1, end - System.currentTimeMillis()));
                } catch (InterruptedException ignored) {
                    // on purpose
                }
            }
        } else if (sleep > 0) {
            Thread.sleep(sleep);
        }
        ctx.results().put("score", (double) x);
    }

    /** The row's planned duration: custom.sleep-ms, or a log-normal draw from custom.durations. */
    public static long durationMillis(Config custom, int x) {
        if (custom.hasPath("durations")) {
            Config d = custom.getConfig("durations");
            if (d.hasPath("heavy") && d.getIntList("heavy").contains(x)) {
                return Math.round(d.getDouble("median-ms") * d.getDouble("heavy-factor"));
            }
            // SplittableRandom mixes its seed: java.util.Random's first draws for seeds 1, 2, 3 ... are correlated
            SplittableRandom r = new SplittableRandom(d.getLong("seed") * 1_000_003L + x);
            return Math.round(d.getDouble("median-ms") * Math.exp(d.getDouble("sigma") * r.nextGaussian()));
        }
        return custom.hasPath("sleep-ms") ? custom.getLong("sleep-ms") : 0;
    }

    private static boolean listed(Config custom, String what, int x) {
        String path = "misbehave." + what;
        if (!custom.hasPath(path)) {
            return false;
        }
        List<Integer> xs = custom.getIntList(path);
        return xs.contains(x);
    }
}
