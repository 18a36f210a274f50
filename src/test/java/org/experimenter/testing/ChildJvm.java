package org.experimenter.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Starts the command line in a separate JVM with the test class path (a second driver). */
public final class ChildJvm {
    private ChildJvm() {}

    /**
     * JIT and GC flags for the short-lived JVMs tests start (drivers, executors, spark-submit):
     * C1 only and the serial collector. The 80-row example run in a JVM of its own costs half
     * the CPU time with them (4.2 s instead of 8.5 s user), and every core is busy during the
     * tests.
     */
    public static final List<String> QUICK = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    /**
     * The test JVM's Spark SQL settings (pom.xml's {@code test.spark.sql}: expressions interpreted,
     * no code generated per query) for the drivers the tests start; none outside surefire. Not for
     * executors: Spark refuses spark.* options in their JVM options (and takes the driver's).
     */
    public static List<String> sparkSql() {
        String sql = System.getProperty("test.spark.sql", "").trim();
        return sql.isEmpty() ? List.of() : Arrays.asList(sql.split("\\s+"));
    }

    public static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null ? cp : System.getProperty("java.class.path");
    }

    public static List<String> javaCommand(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(
                Arrays.asList(System.getProperty("spark.jvm.flags", "").trim().split("\\s+")));
        cmd.addAll(QUICK);
        cmd.addAll(sparkSql());
        cmd.add("-Xmx1g");
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add(mainClass);
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    /**
     * A SPARK_HOME for local-cluster mode: its Workers launch executor JVMs and need a
     * {@code jars/} folder, which may be empty because executors get the test class path.
     */
    public static Path sparkHome() throws IOException {
        // one per test JVM: local-cluster masters of two JVMs can number their applications alike
        Path home = Path.of("target", "spark-home-" + System.getProperty("test.fork", "1"))
                .toAbsolutePath();
        Files.createDirectories(home.resolve("jars"));
        return home;
    }

    public static Process start(Path logFile, String mainClass, String... args) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(javaCommand(mainClass, args));
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("SPARK_HOME", sparkHome().toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.redirectErrorStream(true);
        pb.redirectOutput(logFile.toFile());
        return pb.start();
    }

    public static String pathSeparator() {
        return File.pathSeparator;
    }
}
