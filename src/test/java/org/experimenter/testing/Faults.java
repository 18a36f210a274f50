package org.experimenter.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.experimenter.Experimenter;
import org.experimenter.Status;
import org.experimenter.config.ExperimentConfig;

/** What the fault tests share: their config file, the driver JVMs they start, waiting for a moment of a run. */
public final class Faults {
    private Faults() {}

    /**
     * Writes a config for {@link FaultExperiment} over keyfield x = 0 .. rows-1 and returns its
     * path. {@code custom} goes inside the custom section next to the execution log, {@code extra}
     * at the top level (lease, timeout, ...). A local-cluster master gets the test class path and
     * {@link ChildJvm#QUICK} on its executors.
     */
    public static Path writeConfig(
            Path dir, TestDb db, String table, Path log, int rows, String master, String custom, String extra)
            throws IOException {
        StringBuilder conf = new StringBuilder();
        for (Map.Entry<String, Object> e : db.database(dir, table).entrySet()) {
            conf.append(e.getKey()).append(" = \"").append(e.getValue()).append("\"\n");
        }
        conf.append("keyfields { x { type = int, values = { start = 0, stop = ")
                .append(rows)
                .append(" } } }\n")
                .append("resultfields { score = double }\n")
                .append("custom {\n  execution-log = \"")
                .append(log)
                .append("\"\n  ")
                .append(custom)
                .append("\n}\n")
                .append("experiment-class = \"")
                .append(FaultExperiment.class.getName())
                .append("\"\n")
                .append("spark.master = \"")
                .append(master)
                .append("\"\n")
                .append("spark.conf {\n  \"spark.ui.enabled\" = false\n");
        if (master.startsWith("local-cluster")) {
            conf.append("  \"spark.executor.extraClassPath\" = \"")
                    .append(ChildJvm.classPath())
                    .append("\"\n  \"spark.executor.extraJavaOptions\" = \"")
                    .append(String.join(" ", ChildJvm.QUICK))
                    .append("\"\n");
        }
        conf.append("}\n").append(extra).append("\n");
        Path file = dir.resolve(table + ".conf");
        Files.writeString(file, conf);
        ExperimentConfig.load(file); // fails here, naming the key, rather than in the child JVM
        return file;
    }

    /**
     * A folder for one fault check's config, execution log and driver output, kept after the
     * test under target/fault-runs so that a failure can be read afterwards.
     */
    public static Path runDir(String table) throws IOException {
        return Files.createDirectories(Path.of("target", "fault-runs", table).toAbsolutePath());
    }

    /** Starts {@code experimenter run --config conf} in its own JVM, output to out. */
    public static Process startDriver(Path out, Path conf) throws IOException {
        return ChildJvm.start(out, "org.experimenter.cli.Main", "run", "--config", conf.toString());
    }

    /**
     * Checks a driver started with {@link #startDriver} once it ended: exit 0, and every one of
     * the rows done and executed exactly once by the execution log. Returns the driver's output.
     */
    public static String assertEveryRowDoneOnce(Experimenter ex, Process driver, Path out, Path log, int rows)
            throws IOException {
        String output = Files.readString(out);
        assertEquals(0, driver.exitValue(), output);
        Map<Status, Long> counts = new EnumMap<>(Status.class);
        ex.status().forEach((s, n) -> {
            if (n > 0) {
                counts.put(s, n);
            }
        });
        assertEquals(Map.of(Status.DONE, (long) rows), counts, output);
        ExecutionLog executions = ExecutionLog.read(log);
        assertEquals(rows, executions.byRow().size(), "rows executed");
        assertEquals(Set.of(), executions.rowsExecutedTwice(), "rows run twice");
        return output;
    }

    /** Calls until it returns non-null; fails after the timeout naming what was awaited. */
    public static <T> T await(String what, Duration timeout, Callable<T> probe) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T v = probe.call();
            if (v != null) {
                return v;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(100);
        }
    }
}
