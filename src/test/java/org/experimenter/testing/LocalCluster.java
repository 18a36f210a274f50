package org.experimenter.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs on Spark's local-cluster master, whose executors are JVMs of their own: the config of such
 * a run, two fake GPUs for it, and its driver started as {@code experimenter run} in a JVM of its
 * own.
 */
public final class LocalCluster {
    /** Executor JVMs that start fast: they run short rows, not hot loops. */
    public static final String FAST_EXECUTORS =
            "  \"spark.executor.extraJavaOptions\" = \"-XX:TieredStopAtLevel=1 -XX:+UseSerialGC\"\n";

    private LocalCluster() {}

    /**
     * Writes {@code dir/<table>.conf}: the database of table on db, then body (keyfields,
     * resultfields, experiment, ...), then spark.master and a spark.conf of fast executors with the
     * test classes on their class path, the Spark UI off, and the lines of sparkConf.
     */
    public static Path config(Path dir, TestDb db, String table, String body, String master, String sparkConf)
            throws IOException {
        StringBuilder conf = new StringBuilder();
        for (Map.Entry<String, Object> e : db.database(dir, table).entrySet()) {
            conf.append(e.getKey()).append(" = \"").append(e.getValue()).append("\"\n");
        }
        conf.append(body)
                .append("spark.master = \"")
                .append(master)
                .append("\"\n")
                .append("spark.conf {\n  \"spark.ui.enabled\" = false\n")
                .append(sparkConf)
                .append(FAST_EXECUTORS)
                .append("  \"spark.executor.extraClassPath\" = \"")
                .append(ChildJvm.classPath())
                .append("\"\n}\n");
        return Files.writeString(dir.resolve(table + ".conf"), conf);
    }

    /**
     * The spark.conf lines of two fake GPUs, 0 and 1, that a discovery script written into dir
     * announces to the one worker, all of them given to its one executor.
     */
    public static String twoFakeGpus(Path dir) throws IOException {
        Path discover = dir.resolve("discover-gpus");
        Files.writeString(discover, "#!/bin/sh\necho '{\"name\": \"gpu\", \"addresses\": [\"0\", \"1\"]}'\n");
        assertTrue(discover.toFile().setExecutable(true));
        return "  \"spark.worker.resource.gpu.amount\" = 2\n"
                + "  \"spark.worker.resource.gpu.discoveryScript\" = \"" + discover + "\"\n"
                + "  \"spark.executor.resource.gpu.amount\" = 2\n";
    }

    /**
     * Runs {@code experimenter run --config conf} in its own JVM, output to dir/driver.out, to its
     * end within seconds, and checks that it ended with exit 0. Returns the ended driver.
     */
    public static Process runDriver(Path dir, Path conf, int seconds) throws Exception {
        Path out = dir.resolve("driver.out");
        Process driver = Faults.startDriver(out, conf);
        try {
            assertTrue(driver.waitFor(seconds, TimeUnit.SECONDS), "the run ends");
            assertEquals(0, driver.exitValue(), Files.readString(out));
            return driver;
        } finally {
            driver.destroyForcibly();
        }
    }
}
