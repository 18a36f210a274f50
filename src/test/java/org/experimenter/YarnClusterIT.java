package org.experimenter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.testing.ContainerProbe;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded application jar submitted with SparkSubmit to a real YARN cluster (Hadoop's
 * in-JVM MiniYARNCluster: a ResourceManager and a NodeManager that starts AM and executor
 * JVMs in containers), in client and in cluster mode, against the PostgreSQL on this machine.
 * The submit lines are the ones docs/clusters.md gives a user: the config shipped with --files and
 * named by its bare file name, the database user taken from the environment, experiment
 * classes outside the app jar shipped with --jars.
 */
class YarnClusterIT {
    private static final String DB_USER_ENV = "EXPERIMENTER_DB_USER";
    /**
     * Every JVM here lives for seconds on a machine with 2 cores: compiling with C1 only (and one
     * garbage collector thread) leaves the cores to the work.
     */
    private static final List<String> QUICK_JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    private static final Pattern APP_ID = Pattern.compile("application_\\d+_\\d+");

    @TempDir
    static Path work;

    private static MiniYARNCluster yarn;
    private static Path confDir;
    private static Path emptyJar;
    private static String sparkClassPath;

    @BeforeAll
    static void startYarn() throws Exception {
        YarnConfiguration conf = new YarnConfiguration();
        conf.set("yarn.resourcemanager.hostname", "localhost");
        conf.setInt("yarn.scheduler.minimum-allocation-mb", 128);
        conf.setInt("yarn.scheduler.maximum-allocation-mb", 2048);
        conf.setInt("yarn.nodemanager.resource.memory-mb", 4096);
        conf.setInt("yarn.nodemanager.resource.cpu-vcores", 4);
        conf.setBoolean("yarn.nodemanager.pmem-check-enabled", false);
        conf.setBoolean("yarn.nodemanager.vmem-check-enabled", false);
        conf.set("yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage", "100");
        // Container logs go right after each app: stopping the cluster takes 1-2 s instead of ~17 s.
        // spark-submit's output still carries the diagnostics of a failed app.
        conf.setInt("yarn.nodemanager.log.retain-seconds", 1);
        // The minicluster jar has no capacity-scheduler.xml: one queue with all the capacity.
        conf.set("yarn.scheduler.capacity.root.queues", "default");
        conf.setInt("yarn.scheduler.capacity.root.default.capacity", 100);
        conf.setInt("yarn.scheduler.capacity.root.default.maximum-capacity", 100);
        conf.setFloat("yarn.scheduler.capacity.root.default.user-limit-factor", 1);
        conf.set("yarn.scheduler.capacity.root.default.state", "RUNNING");
        conf.set("yarn.scheduler.capacity.root.default.acl_submit_applications", "*");
        conf.set("yarn.scheduler.capacity.root.default.acl_administer_queue", "*");
        conf.setInt("yarn.scheduler.capacity.node-locality-delay", -1);

        yarn = new MiniYARNCluster(YarnClusterIT.class.getSimpleName(), 1, 1, 1);
        yarn.init(conf);
        yarn.start();
        // The ResourceManager publishes its real port a moment after start.
        Configuration live = yarn.getConfig();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (live.get(YarnConfiguration.RM_ADDRESS, ":0").endsWith(":0")) {
            assertTrue(System.nanoTime() < deadline, "the ResourceManager got a port within 60 s");
            Thread.sleep(100);
        }

        // What HADOOP_CONF_DIR is to a user: first on the class path of spark-submit.
        confDir = Files.createDirectories(work.resolve("hadoop-conf"));
        try (OutputStream out = Files.newOutputStream(confDir.resolve("yarn-site.xml"))) {
            live.writeXml(out);
        }
        Files.writeString(
                confDir.resolve("core-site.xml"),
                "<?xml version=\"1.0\"?>\n<configuration>\n  <property><name>fs.defaultFS</name><value>file:///</value></property>\n</configuration>\n");

        // A cluster has Spark installed; here the NodeManager shares this machine's files, so
        // containers get Spark's jars from the local Maven repository and nothing is uploaded.
        emptyJar = work.resolve("empty.jar");
        new JarOutputStream(Files.newOutputStream(emptyJar), new Manifest()).close();
        sparkClassPath = sparkClassPath();
    }

    @AfterAll
    static void stopYarn() {
        if (yarn != null) {
            yarn.stop();
        }
    }

    /**
     * Spark and its YARN support as a Spark installation has them: the test class path without
     * this project's classes, the dependencies the app jar bundles, and the test-only cluster.
     */
    static String sparkClassPath() {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> notSpark = List.of(
                "/target/",
                "sqlite-jdbc",
                "/org/postgresql/",
                "/com/typesafe/config/",
                "/info/picocli/",
                "junit",
                "opentest4j",
                "apiguardian",
                "hadoop-client-minicluster",
                "/org/bouncycastle/");
        return Arrays.stream(cp.split(File.pathSeparator))
                .filter(e -> notSpark.stream().noneMatch(e::contains))
                .collect(Collectors.joining(File.pathSeparator));
    }

    // ---- the tests --------------------------------------------------------------------------

    @Test
    void clientModeRunsTheExampleOnExecutorsInYarnContainers() throws Exception {
        String table = TestDb.uniqueTable("yarn_client");
        Path shipped = writeConfig(table, knnGrid(), "org.experimenter.example.KnnExperiment");
        Experimenter ex = fill(shipped, 12);
        try {
            // The driver runs in spark-submit's JVM, started in a folder without the config: it finds
            // the file through --files, and the database user in its own environment.
            Submit s = submit(
                    "client",
                    Map.of(DB_USER_ENV, TestDb.pgUser()),
                    List.of("--files", shipped.toString()),
                    "run",
                    "--config",
                    "example.conf");

            assertEquals(0, s.exitCode, s.output);
            String appId = s.applicationId();
            assertTrue(
                    s.output.contains("done     12"),
                    "the run summary is printed by the client-mode driver:\n" + s.output);
            assertEquals(Map.of(Status.DONE, 12L), nonZero(ex.status()));
            Set<String> executors = new HashSet<>();
            for (Map<String, Object> r : TestDb.store(ex).rows()) {
                double acc = (Double) r.get("accuracy");
                assertTrue(acc > 0.5 && acc <= 1.0, "accuracy of a real kNN: " + r);
                assertEquals(90, r.get("test_size"), r.toString());
                assertTrue(
                        ((String) r.get("run_id")).startsWith(appId + "-"),
                        "written by YARN application " + appId + ": " + r);
                String executor = (String) r.get("executor");
                assertFalse(executor.startsWith("driver"), "written by an executor, not the driver: " + r);
                assertEquals(
                        InetAddress.getLocalHost().getHostName(), r.get("machine"), "the NodeManager's host: " + r);
                executors.add(executor.substring(0, executor.indexOf("-t")));
            }
            assertTrue(executors.stream().allMatch(e -> e.matches("[1-9][0-9]*")), "YARN executor ids: " + executors);
        } finally {
            ex.drop();
        }
    }

    @Test
    void clientModeRunsACommandExperimentShippedWithFilesAndArchivesInTheExecutorsContainers() throws Exception {
        String table = TestDb.uniqueTable("yarn_command");
        Path script = Path.of("src", "test", "resources", "command", "cases.py").toAbsolutePath();
        Path shipped = writeConfigRunning(
                table,
                "keyfields { what { type = string, values = [where1, where2, where3, where4] } }\n"
                        + "resultfields { score = double, count = int, echo = string }\n"
                        + "logtables { steps { step = int, loss = double } }\n",
                // cases.py lands in each container's working directory, the command's default one,
                // and the archive unpacked as pyenv/ beside it
                "experiment.command = [pyenv/bin/python, cases.py, --what, \"{what}\"]");
        Experimenter ex = fill(shipped, 4);
        try {
            runShippingPythonEnv(shipped, script, ex, 4);
            for (Map<String, Object> r : TestDb.store(ex).rows()) {
                assertEquals("executor", r.get("echo"), "started by a YARN executor JVM: " + r);
                assertEquals(
                        1, TestDb.store(ex).logRows("steps", (Long) r.get("id")).size(), r.toString());
                assertFalse(((String) r.get("executor")).startsWith("driver"), r.toString());
            }
        } finally {
            ex.drop();
        }
    }

    @Test
    void clientModeRunsAPythonFunctionShippedWithFilesInWorkersOfThePackedInterpreter() throws Exception {
        String table = TestDb.uniqueTable("yarn_python");
        Path function = work.resolve("yarn_fn.py");
        Files.writeString(
                function,
                String.join(
                        "\n",
                        "import os",
                        "def run_ml(parameters, result_processor, custom_config):",
                        "    result_processor.process_results({'score': parameters['x'] * 2.0,"
                                + " 'container': os.environ.get('CONTAINER_ID', ''), 'pid': os.getpid()})",
                        ""));
        Path shipped = writeConfigRunning(
                table,
                "keyfields { x { type = int, values = [1, 2, 3, 4, 5, 6] } }\n"
                        + "resultfields { score = double, container = string, pid = int }\n",
                // the function's file lands in each container's working directory, and the packed
                // environment is unpacked as pyenv/ beside it
                "experiment.python { function = \"yarn_fn.py:run_ml\", interpreter = pyenv/bin/python }");
        Experimenter ex = fill(shipped, 6);
        try {
            runShippingPythonEnv(shipped, function, ex, 6);
            Map<Object, Long> rowsPerWorker = new HashMap<>();
            for (Map<String, Object> r : TestDb.store(ex).rows()) {
                assertEquals((Integer) r.get("x") * 2.0, r.get("score"), r.toString());
                assertTrue(((String) r.get("container")).startsWith("container_"), "called in a YARN container: " + r);
                assertFalse(((String) r.get("executor")).startsWith("driver"), r.toString());
                rowsPerWorker.merge(r.get("pid"), 1L, Long::sum);
            }
            assertTrue(
                    rowsPerWorker.size() < 6,
                    "a worker imports the function once and serves several rows: " + rowsPerWorker);
        } finally {
            ex.drop();
        }
    }

    @Test
    void clusterModeRunsAnExperimentFromJarsAndAnExperimentErrorIsNotAnAppFailure() throws Exception {
        String table = TestDb.uniqueTable("yarn_cluster");
        Path shipped = writeConfig(table, probeGrid(), ContainerProbe.class.getName());
        Experimenter ex = fill(shipped, 12);
        try {
            // The driver runs in the ApplicationMaster's container, where --files put example.conf;
            // the database user comes from the container's environment, nothing from this JVM's.
            Submit s = submit(
                    "cluster",
                    Map.of(),
                    List.of(
                            "--files", shipped.toString(),
                            "--jars", probeJar().toString(),
                            "--conf", "spark.yarn.appMasterEnv." + DB_USER_ENV + "=" + TestDb.pgUser()),
                    "run",
                    "--config",
                    "example.conf");

            assertEquals(0, s.exitCode, "experiments that throw do not fail the app:\n" + s.output);
            assertTrue(s.output.contains("final status: SUCCEEDED"), s.output);
            String appId = s.applicationId();
            assertEquals(Map.of(Status.DONE, 9L, Status.ERROR, 3L), nonZero(ex.status()));
            String amContainer = "container_" + appId.substring("application_".length()) + "_01_000001";
            Set<String> containers = new HashSet<>();
            for (Map<String, Object> r : TestDb.store(ex).rows()) {
                int x = (Integer) r.get("x");
                assertTrue(((String) r.get("run_id")).startsWith(appId + "-"), r.toString());
                assertFalse(((String) r.get("executor")).startsWith("driver"), r.toString());
                if (x % 4 == 3) {
                    assertEquals("error", r.get("status"), r.toString());
                    assertTrue(((String) r.get("error")).contains("the probe refuses x = " + x), r.toString());
                    assertNull(r.get("square"), r.toString());
                } else {
                    assertEquals("done", r.get("status"), r.toString());
                    assertEquals((long) x * x, ((Number) r.get("square")).longValue(), r.toString());
                    String container = (String) r.get("container");
                    assertTrue(
                            container.startsWith("container_" + appId.substring("application_".length()) + "_"),
                            "ran in a container of " + appId + ": " + r);
                    assertNotEquals(amContainer, container, "ran in an executor's container, not the driver's: " + r);
                    containers.add(container);
                }
            }
            assertFalse(containers.isEmpty());
        } finally {
            ex.drop();
        }
    }

    @Test
    void anUnreachableDatabaseFailsTheAppAndSparkSubmitShowsWhy() throws Exception {
        String table = TestDb.uniqueTable("yarn_nodb");
        Path shipped = writeConfig(table, knnGrid(), "org.experimenter.example.KnnExperiment");
        Files.writeString(shipped, Files.readString(shipped).replace("127.0.0.1:5432", "127.0.0.1:1"));

        // Cluster mode: the driver in its container cannot connect.
        Submit cluster = submit(
                "cluster",
                Map.of(),
                List.of(
                        "--files",
                        shipped.toString(),
                        "--conf",
                        "spark.yarn.appMasterEnv." + DB_USER_ENV + "=" + TestDb.pgUser()),
                "run",
                "--config",
                "example.conf");
        assertNotEquals(0, cluster.exitCode, cluster.output);
        assertTrue(cluster.output.contains("final status: FAILED"), cluster.output);
        assertTrue(
                cluster.output.contains(
                        "error: cannot connect to jdbc:postgresql://127.0.0.1:1/test: Connection to 127.0.0.1:1 refused"),
                "the reason reaches spark-submit:\n" + cluster.output);

        // Client mode: the same message on spark-submit's standard error, before the cluster is asked for anything.
        Submit client = submit(
                "client",
                Map.of(DB_USER_ENV, TestDb.pgUser()),
                List.of("--files", shipped.toString()),
                "run",
                "--config",
                "example.conf");
        assertEquals(1, client.exitCode, client.output);
        assertTrue(
                client.output.contains(
                        "error: cannot connect to jdbc:postgresql://127.0.0.1:1/test: Connection to 127.0.0.1:1 refused"),
                client.output);
        assertFalse(
                APP_ID.matcher(client.output).find(),
                "no YARN application for a run that cannot start:\n" + client.output);
    }

    @Test
    void aFailureAfterSparkHasStartedIsTheClusterAppsDiagnostics() throws Exception {
        String table = TestDb.uniqueTable("yarn_badwhere");
        Path shipped = writeConfig(table, knnGrid(), "org.experimenter.example.KnnExperiment");
        Experimenter ex = fill(shipped, 12);
        try {
            Submit s = submit(
                    "cluster",
                    Map.of(),
                    List.of(
                            "--files",
                            shipped.toString(),
                            "--conf",
                            "spark.yarn.appMasterEnv." + DB_USER_ENV + "=" + TestDb.pgUser(),
                            // the failure needs no executor: do not wait up to 30 s for one at start
                            "--conf",
                            "spark.scheduler.minRegisteredResourcesRatio=0"),
                    "run",
                    "--config",
                    "example.conf",
                    "--where",
                    "no_such_column = 1");
            assertNotEquals(0, s.exitCode, s.output);
            // The driver had registered with YARN: the message is the app's final diagnostics.
            assertTrue(
                    s.output.contains(
                            "diagnostics: User class threw exception: org.experimenter.ExperimenterException: error: "),
                    s.output);
            assertTrue(s.output.contains("no_such_column"), s.output);
            assertEquals(Map.of(Status.CREATED, 12L), nonZero(ex.status()));
        } finally {
            ex.drop();
        }
    }

    @Test
    void aMissingConfigFileOrExperimentClassIsNamedInSparkSubmitOutput() throws Exception {
        // Cluster mode without --files: the driver's container has no example.conf.
        Submit cluster = submit("cluster", Map.of(), List.of(), "run", "--config", "example.conf");
        assertNotEquals(0, cluster.exitCode, cluster.output);
        assertTrue(cluster.output.contains("final status: FAILED"), cluster.output);
        assertTrue(
                cluster.output.contains("error: example.conf: no such config file (working directory "),
                cluster.output);
        assertTrue(
                cluster.output.contains("/container_"), "names the container's working directory:\n" + cluster.output);
        assertTrue(cluster.output.contains("no file was shipped with --files"), cluster.output);

        // Client mode: the messages on spark-submit's standard error.
        Submit client =
                submit("client", Map.of(DB_USER_ENV, TestDb.pgUser()), List.of(), "run", "--config", "example.conf");
        assertEquals(1, client.exitCode, client.output);
        assertTrue(
                client.output.contains("error: example.conf: no such config file (working directory "), client.output);

        // The experiment class lives in a jar that was not given to --jars.
        String table = TestDb.uniqueTable("yarn_noclass");
        Path shipped = writeConfig(table, probeGrid(), ContainerProbe.class.getName());
        try {
            Submit noClass = submit(
                    "client",
                    Map.of(DB_USER_ENV, TestDb.pgUser()),
                    List.of("--files", shipped.toString()),
                    "run",
                    "--config",
                    "example.conf");
            assertEquals(1, noClass.exitCode, noClass.output);
            assertTrue(
                    noClass.output.contains(shipped + ": experiment-class: class " + ContainerProbe.class.getName()
                            + " not found on the class path (add its jar with --jars)"),
                    noClass.output);
            assertFalse(
                    APP_ID.matcher(noClass.output).find(),
                    "no YARN application for a run that cannot start:\n" + noClass.output);
        } finally {
            withUser(shipped).drop();
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    private static String knnGrid() {
        return "keyfields {\n"
                + "  dataset { type = string, values = [blobs, rings] }\n"
                + "  k { type = int, values = [1, 5, 9] }\n"
                + "  seed { type = int, values = [0, 1] }\n"
                + "}\n"
                + "resultfields { accuracy = double, train_size = int, test_size = int }\n"
                + "custom { test-fraction = 0.3 }\n";
    }

    private static String probeGrid() {
        return "keyfields { x { type = int, values = { start = 0, stop = 12 } } }\n"
                + "resultfields { container = string, square = long }\n";
    }

    /**
     * Writes example.conf as a user would ship it: PostgreSQL, the user from the environment (a
     * required substitution, so a driver without it fails instead of connecting as someone else).
     */
    private static Path writeConfig(String table, String grid, String experimentClass) throws IOException {
        return writeConfigRunning(table, grid, "experiment-class = " + experimentClass);
    }

    /** The same, with what runs given as a line of HOCON (an experiment class, or a command). */
    private static Path writeConfigRunning(String table, String grid, String runs) throws IOException {
        Path dir = Files.createDirectories(work.resolve(table));
        Path file = dir.resolve("example.conf");
        Files.writeString(
                file,
                "database {\n"
                        + "  url = \"" + TestDb.pgUrl() + "\"\n"
                        + "  user = ${" + DB_USER_ENV + "}\n"
                        + "  table = " + table + "\n"
                        + "}\n"
                        + grid
                        + runs + "\n"
                        + "execution.partitions = 4\n",
                StandardCharsets.UTF_8);
        return file;
    }

    /** Fills the table from this JVM with the Java API. */
    private static Experimenter fill(Path config, long expectedRows) throws IOException {
        Experimenter ex = withUser(config);
        assertEquals(expectedRows, ex.fill());
        return ex;
    }

    /** The shipped config with the user set in the text: this JVM has no EXPERIMENTER_DB_USER. */
    private static Experimenter withUser(Path config) throws IOException {
        assertNull(
                System.getenv(DB_USER_ENV),
                "the test JVM must not have " + DB_USER_ENV + ": containers would inherit it");
        String text = Files.readString(config) + "database.user = \"" + TestDb.pgUser() + "\"\n";
        return Experimenter.of(ExperimentConfig.parse(text, config.toString()));
    }

    private static Map<Status, Long> nonZero(Map<Status, Long> counts) {
        return counts.entrySet().stream()
                .filter(e -> e.getValue() > 0)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /**
     * A client-mode run of the shipped config with a Python file ({@code --files}, beside the
     * config in each container's working directory) and a packed environment ({@code --archives},
     * as pyenv/); every one of the table's {@code rows} ends done.
     */
    private static void runShippingPythonEnv(Path shipped, Path python, Experimenter ex, long rows) throws Exception {
        Submit s = submit(
                "client",
                Map.of(DB_USER_ENV, TestDb.pgUser()),
                List.of("--files", shipped + "," + python, "--archives", pythonEnv() + "#pyenv"),
                "run",
                "--config",
                "example.conf");
        assertEquals(0, s.exitCode, s.output);
        assertEquals(Map.of(Status.DONE, rows), nonZero(ex.status()), s.output);
    }

    /**
     * A packed Python environment as conda-pack or venv-pack would make it, shrunk to its
     * interpreter: bin/python, which starts this machine's python3 (the containers share its files).
     */
    private static Path pythonEnv() throws Exception {
        Path archive = work.resolve("pyenv.tar.gz");
        Path bin = Files.createDirectories(work.resolve("pyenv").resolve("bin"));
        Path python = bin.resolve("python");
        Files.writeString(python, "#!/bin/sh\nexec /usr/bin/python3 \"$@\"\n");
        python.toFile().setExecutable(true);
        Process tar = new ProcessBuilder(
                        "tar",
                        "-czf",
                        archive.toString(),
                        "-C",
                        work.resolve("pyenv").toString(),
                        "bin")
                .inheritIO()
                .start();
        assertEquals(0, tar.waitFor());
        return archive;
    }

    /** A jar with the probe experiment only, as a user's own experiments jar. */
    private static Path probeJar() throws IOException {
        Path jar = work.resolve("probe-experiments.jar");
        if (Files.exists(jar)) {
            return jar;
        }
        String entry = ContainerProbe.class.getName().replace('.', '/') + ".class";
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), new Manifest());
                var in = ContainerProbe.class.getClassLoader().getResourceAsStream(entry)) {
            assertNotNull(in, entry);
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
        return jar;
    }

    private record Submit(int exitCode, String output) {
        String applicationId() {
            Matcher m = APP_ID.matcher(output);
            assertTrue(m.find(), "spark-submit names the YARN application:\n" + output);
            return m.group();
        }
    }

    /**
     * Runs SparkSubmit in its own JVM, started in an empty folder, with the cluster's conf folder
     * first on its class path, and returns its exit code and output (stdout and stderr).
     */
    private static Submit submit(String deployMode, Map<String, String> env, List<String> options, String... appArgs)
            throws Exception {
        String jar = System.getProperty("app.jar");
        assertTrue(Files.isRegularFile(Path.of(jar)), "the shaded jar exists: " + jar);
        Path cwd = Files.createTempDirectory(work, "submit-" + deployMode + "-");
        Path staging = Files.createDirectories(work.resolve("staging"));
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Arrays.asList(System.getProperty("spark.jvm.flags").trim().split("\\s+")));
        cmd.add("-Xmx768m");
        cmd.addAll(QUICK_JVM);
        cmd.addAll(
                List.of("-cp", confDir + File.pathSeparator + sparkClassPath, "org.apache.spark.deploy.SparkSubmit"));
        cmd.addAll(List.of("--master", "yarn", "--deploy-mode", deployMode));
        for (String c : List.of(
                "spark.yarn.jars=local:" + emptyJar,
                "spark.driver.extraClassPath=" + sparkClassPath,
                "spark.executor.extraClassPath=" + sparkClassPath,
                "spark.yarn.stagingDir=file:" + staging,
                "spark.yarn.maxAppAttempts=1",
                "spark.executor.instances=1",
                "spark.executor.cores=2",
                "spark.driver.memory=512m",
                "spark.executor.memory=512m",
                "spark.yarn.am.memory=512m",
                "spark.ui.enabled=false",
                "spark.driver.extraJavaOptions=" + String.join(" ", QUICK_JVM),
                "spark.executor.extraJavaOptions=" + String.join(" ", QUICK_JVM),
                "spark.yarn.am.extraJavaOptions=" + String.join(" ", QUICK_JVM),
                "spark.yarn.appMasterEnv.SPARK_LOCAL_IP=127.0.0.1",
                "spark.executorEnv.SPARK_LOCAL_IP=127.0.0.1")) {
            cmd.add("--conf");
            cmd.add(c);
        }
        cmd.addAll(options);
        cmd.addAll(List.of("--class", "org.experimenter.cli.Main", jar));
        cmd.addAll(Arrays.asList(appArgs));

        Path out = cwd.resolve("spark-submit.out");
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(cwd.toFile())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile());
        pb.environment().remove(DB_USER_ENV);
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        // spark-submit checks that it is set; its bin/ scripts would also put it on the class path,
        // which a bare java launch does not do, hence the class path above.
        pb.environment().put("HADOOP_CONF_DIR", confDir.toString());
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("spark-submit --deploy-mode " + deployMode + " did not finish within 180 s:\n"
                    + Files.readString(out));
        }
        String output = Files.readString(out);
        System.out.printf(
                "spark-submit --deploy-mode %s %s: exit %d after %.1f s%n",
                deployMode, String.join(" ", appArgs), p.exitValue(), (System.nanoTime() - t0) / 1e9);
        return new Submit(p.exitValue(), output);
    }
}
