package org.experimenter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.experimenter.testing.ChildJvm;
import org.experimenter.testing.Faults;
import org.experimenter.testing.LocalCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The daemon as scripts/experimenter uses it, with real JVMs: a command line JVM ({@link Main}
 * with {@code -Dexperimenter.daemon.line}) that starts the daemon, or finds it, and passes the
 * command on; Python function rows on a SQLite file. The methods run in order on one daemon
 * until a stop ends it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DaemonTest {
    private static final Pattern RUN_ID = Pattern.compile("run (local-\\d+)-[0-9a-f]{8}");
    /** Seconds an idle daemon of these tests waits for the next command. */
    private static final int IDLE = 6;

    private Path dir;
    private Path home;
    private Path lineFile;
    private Path db;

    @BeforeAll
    void setUp() throws IOException {
        dir = Faults.runDir("daemon_" + System.nanoTime());
        // a home of its own: the daemons' folder is the user's, and its path must be short
        home = Files.createTempDirectory(Path.of("/tmp"), "exd");
        db = dir.resolve("daemon.db");
        List<String> line = jvm("org.experimenter.cli.Daemon");
        lineFile = dir.resolve("daemon.line");
        Files.writeString(lineFile, String.join("\0", line) + "\0");
    }

    @AfterAll
    void tearDown() throws IOException {
        for (Path sock : sockets()) {
            Files.deleteIfExists(sock); // the daemon sees its socket gone and ends within a second
        }
        try (Stream<Path> files = Files.walk(home)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    /** The JVM's command line up to the main class: the test class path, the daemon's home. */
    private List<String> jvm(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(
                Arrays.asList(System.getProperty("spark.jvm.flags", "").trim().split("\\s+")));
        cmd.addAll(ChildJvm.QUICK);
        cmd.add("-Xmx1g");
        cmd.add("-Duser.home=" + home);
        if (lineFile != null) {
            cmd.add("-D" + DaemonClient.LINE_PROPERTY + "=" + lineFile);
        }
        cmd.add("-cp");
        cmd.add(ChildJvm.classPath());
        cmd.add(mainClass);
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    /** A command line; every one of the same environment, so that they share their daemon. */
    private ProcessBuilder commandLine(String... args) {
        ProcessBuilder pb = new ProcessBuilder(jvm("org.experimenter.cli.Main", args));
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("EXPERIMENTER_DAEMON_IDLE", Integer.toString(IDLE));
        return pb;
    }

    private Process start(Path out, String... args) throws IOException {
        return commandLine(args)
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
    }

    private record Ended(int code, String output) {}

    private Ended command(String... args) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Process p = start(out, args);
        assertTrue(p.waitFor(3, TimeUnit.MINUTES), String.join(" ", args) + " did not end");
        return new Ended(p.exitValue(), Files.readString(out));
    }

    /** The daemons of this test's home (by their command lines, read whole: the class path is long). */
    private List<ProcessHandle> daemonProcesses() {
        return ProcessHandle.allProcesses()
                .filter(h -> {
                    try {
                        String c = Files.readString(Path.of("/proc", Long.toString(h.pid()), "cmdline"))
                                .replace('\0', ' ');
                        return c.contains(Daemon.class.getName()) && c.contains(home.toString());
                    } catch (IOException | RuntimeException e) {
                        return false; // gone, or not readable
                    }
                })
                .toList();
    }

    private List<Path> sockets() throws IOException {
        Path daemons = home.resolve(".cache/experimenter/daemons");
        if (!Files.isDirectory(daemons)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(daemons)) {
            return s.filter(p -> p.toString().endsWith(".sock")).toList();
        }
    }

    private Path config(String table, String function, int rows, String extra) throws IOException {
        Path py = dir.resolve(table + ".py");
        Files.writeString(py, function);
        Path conf = dir.resolve(table + ".conf");
        Files.writeString(
                conf,
                "database { url = \"jdbc:sqlite:" + db + "\", table = " + table + " }\n"
                        + "keyfields { x { type = int, values = { start = 0, stop = " + rows + " } } }\n"
                        + "resultfields { v = int, pid = int }\n"
                        + "experiment.python.function = \"" + py + ":run\"\n"
                        + "spark.master = \"local[2]\"\n"
                        + extra);
        return conf;
    }

    private static String function(int value, double seconds) {
        return "import os, time\n"
                + "def run(parameters, result_processor, custom_config):\n"
                + "    time.sleep(" + seconds + ")\n"
                + "    result_processor.process_results({'v': " + value + ", 'pid': os.getpid()})\n";
    }

    private Map<String, Long> statuses(String table) throws SQLException {
        Map<String, Long> counts = new TreeMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT status, count(*) FROM " + table + " GROUP BY status")) {
            while (rs.next()) {
                counts.put(rs.getString(1), rs.getLong(2));
            }
        } catch (SQLException e) {
            if (!String.valueOf(e.getMessage()).contains("no such table")) {
                throw e;
            }
            // not filled yet
        }
        return counts;
    }

    private Set<Long> column(String table, String sql) throws SQLException {
        Set<Long> values = new HashSet<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT " + sql + " FROM " + table)) {
            while (rs.next()) {
                values.add(rs.getLong(1));
            }
        }
        return values;
    }

    private static String sparkApp(Ended e) {
        Matcher m = RUN_ID.matcher(e.output());
        assertTrue(m.find(), e.output());
        return m.group(1);
    }

    /**
     * The first command starts the daemon, the second runs in it (the same Spark application)
     * and sees its Python function as it is then: edited in between, the workers of the first
     * command are not reused. A command's failure reaches its command line as exit code and message.
     */
    @Test
    @Order(1)
    void aSecondCommandRunsInTheDaemonWithTheCodeAsItIsThen() throws Exception {
        Path first = config("first", function(1, 0), 4, "");
        Ended a = command("run", "--config", first.toString(), "--fill");
        assertEquals(0, a.code(), a.output());
        assertEquals(1, sockets().size(), "the daemon's socket");
        assertEquals(Set.of(1L), column("first", "v"));

        Path second = config("second", function(2, 0), 4, "");
        // the same file as the first command's function, edited
        Files.writeString(dir.resolve("first.py"), function(2, 0));
        Files.writeString(
                second,
                Files.readString(second)
                        .replace(
                                dir.resolve("second.py").toString(),
                                dir.resolve("first.py").toString()));
        Ended b = command("run", "--config", second.toString(), "--fill", "--eval", "v");
        assertEquals(0, b.code(), b.output());
        assertEquals(sparkApp(a), sparkApp(b), "the second run in the first one's Spark application:\n" + b.output());
        assertEquals(Set.of(2L), column("second", "v"), "the edited function");
        Set<Long> pids = column("first", "pid");
        pids.retainAll(column("second", "pid"));
        assertEquals(Set.of(), pids, "workers of the first command reused");
        assertTrue(b.output().contains("2.0000"), "the eval's mean of v:\n" + b.output());

        // standard output closed before the command prints (| head -0): the command still ends well
        Process p = commandLine("eval", "--config", second.toString())
                .redirectError(dir.resolve("piped.txt").toFile())
                .start();
        p.getInputStream().close();
        assertTrue(p.waitFor(1, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("piped.txt")));

        Ended bad = command("eval", "--config", second.toString(), "--where", "no_such_field > 1");
        assertEquals(1, bad.code(), bad.output());
        assertTrue(bad.output().contains("error: "), bad.output());
        assertEquals(1, sockets().size(), "one daemon");

        // what a command's sql adds to the Spark context (here a global temporary view, seen by every
        // session of it) is not there for the next command, as with a JVM of its own
        Ended view = command(
                "sql", "--config", second.toString(), "CREATE GLOBAL TEMPORARY VIEW left_over AS SELECT 41 + 1 AS v");
        assertEquals(0, view.code(), view.output());
        Ended next = command("sql", "--config", second.toString(), "SELECT v FROM global_temp.left_over");
        assertEquals(1, next.code(), "the view of the command before:\n" + next.output());
        assertTrue(next.output().contains("left_over"), next.output());
        assertEquals(1, sockets().size(), "one daemon");
    }

    /**
     * A socket in the daemons' folder served by another user (planted while the folder was open to
     * others) gets nothing from the command line, which asks the kernel who listens before it sends
     * its command, and a daemon started in its place writes its log anew, never through a link
     * planted at the log's path. As root: the planted socket listens as user nobody.
     */
    @Test
    @Order(2)
    void aSocketServedByAnotherUserGetsNoCommandAndALinkAtTheLogIsNotFollowed() throws Exception {
        assumeTrue(
                new com.sun.security.auth.module.UnixSystem().getUid() == 0,
                "as root: a socket of another user (nobody) in the daemons' folder");
        Path first = dir.resolve("first.conf");
        Ended up = command("status", "--config", first.toString());
        assertEquals(0, up.code(), up.output());
        List<Path> socks = sockets();
        assertEquals(1, socks.size(), "the daemon's socket");
        Path socket = socks.get(0);
        Path log = Path.of(socket.toString().replaceAll("\\.sock$", ".log"));
        // the daemon sees its socket gone and ends
        List<ProcessHandle> daemons = daemonProcesses();
        Files.delete(socket);
        for (ProcessHandle h : daemons) {
            h.onExit().get(30, TimeUnit.SECONDS);
        }
        Path victim = Files.writeString(dir.resolve("victim.txt"), "the user's file\n");
        Files.deleteIfExists(log);
        Files.createSymbolicLink(log, victim);
        Path heard = dir.resolve("planted.txt");
        Process planted = new ProcessBuilder(
                        "/usr/bin/python3",
                        "-c",
                        String.join(
                                "\n",
                                "import os, socket, sys",
                                "rec = open(sys.argv[2], 'w', buffering=1)",
                                "s = socket.socket(socket.AF_UNIX)",
                                "s.bind(sys.argv[1])",
                                "os.setgid(65534); os.setuid(65534)",
                                "s.listen(8)",
                                "rec.write('listening\\n')",
                                "while True:",
                                "    c, _ = s.accept()",
                                "    c.settimeout(3)",
                                "    n = 0",
                                "    try:",
                                "        while True:",
                                "            b = c.recv(65536)",
                                "            if not b: break",
                                "            n += len(b)",
                                "    except OSError: pass",
                                "    rec.write('heard %d bytes\\n' % n)",
                                "    c.close()"),
                        socket.toString(),
                        heard.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("planted.out").toFile())
                .start();
        try {
            Faults.await(
                    "the planted socket listening",
                    Duration.ofSeconds(30),
                    () -> Files.exists(heard) && Files.readString(heard).startsWith("listening") ? true : null);
            Ended b = command("status", "--config", first.toString());
            assertEquals(0, b.code(), b.output());
            for (String line : Files.readAllLines(heard)) {
                assertTrue(line.equals("listening") || line.equals("heard 0 bytes"), "the planted socket got: " + line);
            }
            assertEquals("the user's file\n", Files.readString(victim), "the file the planted log link points to");
            assertTrue(Files.isRegularFile(log, java.nio.file.LinkOption.NOFOLLOW_LINKS), "the daemon's log, anew");
        } finally {
            planted.destroyForcibly();
            planted.waitFor();
        }
    }

    /**
     * While the daemon runs a command, a second one runs in a JVM of its own (another Spark
     * application); once idle for its time, the daemon ends and removes its socket.
     */
    @Test
    @Order(3)
    void aCommandWhileTheDaemonIsBusyRunsInItsOwnJvmAndAnIdleDaemonEnds() throws Exception {
        // rows that wait for a file: the daemon stays busy until the test makes it
        Path release = dir.resolve("release");
        Path slow = config(
                "slow",
                "import os, time\n"
                        + "def run(parameters, result_processor, custom_config):\n"
                        + "    while not os.path.exists('" + release + "'):\n"
                        + "        time.sleep(0.05)\n"
                        + "    result_processor.process_results({'v': 3, 'pid': os.getpid()})\n",
                4,
                "");
        Path out = dir.resolve("slow.txt");
        Process busy = start(out, "run", "--config", slow.toString(), "--fill");
        Faults.await(
                "the slow run's rows running",
                Duration.ofMinutes(1),
                () -> statuses("slow").getOrDefault("running", 0L) > 0 ? true : null);
        Path other = config("other", function(4, 0), 1, "");
        Ended b = command("run", "--config", other.toString(), "--fill");
        Files.writeString(release, "");
        assertTrue(busy.waitFor(2, TimeUnit.MINUTES));
        String slowOutput = Files.readString(out);
        assertEquals(0, busy.exitValue(), slowOutput);
        assertEquals(0, b.code(), b.output());
        assertNotEquals(sparkApp(new Ended(0, slowOutput)), sparkApp(b), "ran in a JVM of its own");
        assertEquals(Map.of("done", 4L), statuses("slow"));
        assertEquals(Map.of("done", 1L), statuses("other"));

        Faults.await(
                "the idle daemon's end",
                Duration.ofSeconds(IDLE + 20),
                () -> sockets().isEmpty() ? true : null);
    }

    /**
     * SIGTERM to the command line (Ctrl-C alike): the daemon stops the run as the command's own
     * JVM would, the running rows finish within the shutdown grace, the others stay created, and
     * the daemon ends; the command line's exit code is the signal's. A command line killed by
     * SIGKILL (no word to the daemon) stops its run the same way.
     */
    @Test
    @Order(4)
    void stoppingOrKillingTheCommandLineStopsItsRunGracefully() throws Exception {
        for (boolean kill : List.of(false, true)) {
            String table = kill ? "killed" : "stopped";
            Path conf = config(table, function(5, 3), 8, "shutdown-grace = 20s\n");
            Path out = dir.resolve(table + ".txt");
            Process p = start(out, "run", "--config", conf.toString(), "--fill");
            Faults.await(
                    "two rows running",
                    Duration.ofMinutes(1),
                    () -> statuses(table).getOrDefault("running", 0L) == 2 ? true : null);
            List<ProcessHandle> daemons = daemonProcesses();
            assertEquals(1, daemons.size(), "the daemon running the command");
            if (kill) {
                p.destroyForcibly();
            } else {
                p.destroy();
            }
            assertTrue(p.waitFor(1, TimeUnit.MINUTES), "the command line's end");
            if (!kill) {
                assertEquals(143, p.exitValue(), Files.readString(out));
                // as its own JVM would: the command line ends once the daemon's shutdown hooks are done
                assertFalse(daemons.get(0).isAlive(), "the daemon outlived the command line it stopped for");
            }
            Faults.await(
                    "no row running",
                    Duration.ofMinutes(1),
                    () -> statuses(table).containsKey("running") ? null : true);
            Map<String, Long> after = statuses(table);
            assertEquals(
                    2L, after.getOrDefault("done", 0L), table + ": the rows running at the stop finished: " + after);
            assertEquals(6L, after.getOrDefault("created", 0L), table + ": " + after);
            Faults.await(
                    "the daemon's end", Duration.ofSeconds(30), () -> sockets().isEmpty() ? true : null);
            assertFalse(after.containsKey("error"), after.toString());
        }
    }

    /**
     * A command line in that working folder, started by a shell's line ending in exec (the
     * command line's arguments follow): {@code umask 077 && exec}, {@code exec nice -n 7}.
     */
    private Ended commandIn(Path folder, String shell, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", shell + " \"$@\"", "sh"));
        cmd.addAll(commandLine(args).command());
        Path out = Files.createTempFile(dir, "out", ".txt");
        ProcessBuilder pb = commandLine().command(cmd).directory(folder.toFile());
        Process p = pb.redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(3, TimeUnit.MINUTES), String.join(" ", args) + " did not end");
        return new Ended(p.exitValue(), Files.readString(out));
    }

    /** {@code export --format csv} of the config into the folder, run under the shell prefix. */
    private Ended exportUnder(String shell, Path conf, Path folder) throws Exception {
        return commandIn(
                dir, shell, "export", "--config", conf.toString(), "--format", "csv", "--output", folder.toString());
    }

    private static void removeTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    /**
     * The daemon's working folder removed and made again (a fresh clone, a build folder): the
     * next command there reads its relative paths in the new folder, never in the removed one.
     */
    @Test
    @Order(5)
    void aWorkingFolderRemovedAndMadeAgainIsTheNewOne() throws Exception {
        Path conf = config("remade", function(6, 0), 2, "");
        Path work = dir.resolve("work");
        Files.createDirectories(work);
        Files.copy(conf, work.resolve("remade.conf"));
        Ended a = commandIn(work, "umask 022 && exec", "run", "--config", "remade.conf", "--fill");
        assertEquals(0, a.code(), a.output());
        assertEquals(1, sockets().size(), "the daemon of the folder");
        removeTree(work);
        Files.createDirectories(work);
        Files.copy(conf, work.resolve("remade.conf"));
        Ended b = commandIn(work, "umask 022 && exec", "eval", "--config", "remade.conf");
        assertEquals(0, b.code(), b.output());
        assertTrue(b.output().contains("6.0000"), b.output());
    }

    /**
     * A command's umask, niceness, processors (nice, taskset) and group are its own, even when a
     * daemon started under umask 022 at niceness 0 is up: a command under umask 077 writes its
     * export's folder for its user only, one under another group (as root) gives it that group, a
     * run under nice -n 7 runs its experiments at 7.
     */
    @Test
    @Order(6)
    void aCommandsUmaskAndNicenessAreItsOwn() throws Exception {
        Path conf = config("masked", function(7, 0), 1, "");
        Ended a = commandIn(dir, "umask 022 && exec", "run", "--config", conf.toString(), "--fill");
        assertEquals(0, a.code(), a.output());
        if (new com.sun.security.auth.module.UnixSystem().getUid() == 0
                && Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
            // another group (as root: setpriv; a user: sg, newgrp): the command's files are that group's
            Path grouped = dir.resolve("grouped-export");
            Ended g = exportUnder("umask 022 && exec setpriv --regid=4242 --clear-groups", conf, grouped);
            assertEquals(0, g.code(), g.output());
            assertEquals(4242, Files.getAttribute(grouped, "unix:gid"), "the export's folder's group");
        }
        Path export = dir.resolve("masked-export");
        Ended b = exportUnder("umask 077 && exec", conf, export);
        assertEquals(0, b.code(), b.output());
        assertEquals(
                "rwx------",
                java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(export)),
                "the export's folder under umask 077");

        Path niced = config(
                "niced",
                "import os\n"
                        + "def run(parameters, result_processor, custom_config):\n"
                        + "    result_processor.process_results({'v': os.nice(0), 'pid': os.getpid()})\n",
                1,
                "");
        Ended c = commandIn(dir, "umask 022 && exec nice -n 7", "run", "--config", niced.toString(), "--fill");
        assertEquals(0, c.code(), c.output());
        assertEquals(Set.of(7L), column("niced", "v"), "the experiment's niceness");
    }

    /**
     * The variables a shell changes between commands ({@code SHLVL}, {@code OLDPWD}, {@code _},
     * {@code COLUMNS}, {@code LINES}) do not key a daemon, so command lines that differ in them
     * alone share one; each command's experiments see its own command line's values, not those
     * of the command that started the daemon: in the daemon's JVM (local[2]), and in the executor
     * JVMs that the daemon starts for a local-cluster master.
     */
    @Test
    @Order(7)
    void theVariablesAShellChangesBetweenCommandsAreEachCommandLinesOwn() throws Exception {
        // v: SHLVL; pid: the length of OLDPWD, a folder that exists (bash drops an inherited OLDPWD that is
        // none, and a CI run lost /a and /bbb on the way)
        String function = "import os\n"
                + "def run(parameters, result_processor, custom_config):\n"
                + "    result_processor.process_results({'v': int(os.environ.get('SHLVL', '-1')),"
                + " 'pid': len(os.environ.get('OLDPWD', ''))})\n";
        // the same environment for every command line but the shell's variables: one daemon for all
        String spark = "export SPARK_HOME=" + ChildJvm.sparkHome() + " SPARK_SCALA_VERSION=2.13";
        Path first = config("shell_a", function, 1, "");
        Path second = config("shell_b", function, 1, "");
        Ended a = commandIn(dir, spark + " SHLVL=41 OLDPWD=/ && exec", "run", "--config", first.toString(), "--fill");
        assertEquals(0, a.code(), a.output());
        Ended b =
                commandIn(dir, spark + " SHLVL=42 OLDPWD=/usr && exec", "run", "--config", second.toString(), "--fill");
        assertEquals(0, b.code(), b.output());
        assertEquals(sparkApp(a), sparkApp(b), "one daemon ran both commands");
        assertEquals(Set.of(41L), column("shell_a", "v"), "SHLVL of the first command's experiment");
        assertEquals(Set.of(42L), column("shell_b", "v"), "SHLVL of the second command's experiment");
        assertEquals(Set.of(4L), column("shell_b", "pid"), "the length of OLDPWD of the second command's experiment");

        // local-cluster: the worker's parent is the executor JVM, whose parent is the daemon (pid)
        Path cluster = config(
                "shell_c",
                "import os\n"
                        + "def run(parameters, result_processor, custom_config):\n"
                        + "    executor = open('/proc/%d/stat' % os.getppid()).read().rsplit(')', 1)[1].split()\n"
                        + "    result_processor.process_results({'v': int(os.environ.get('SHLVL', '-1')),"
                        + " 'pid': int(executor[1])})\n",
                1,
                "spark.master = \"local-cluster[1,1,1024]\"\n"
                        + "spark.conf {\n  \"spark.ui.enabled\" = false\n"
                        + LocalCluster.FAST_EXECUTORS
                        + "  \"spark.executor.extraClassPath\" = \"" + ChildJvm.classPath() + "\"\n}\n");
        Ended c = commandIn(
                dir, spark + " SHLVL=43 OLDPWD=/tmp && exec", "run", "--config", cluster.toString(), "--fill");
        assertEquals(0, c.code(), c.output());
        Set<Long> daemons = new HashSet<>();
        daemonProcesses().forEach(d -> daemons.add(d.pid()));
        assertTrue(daemons.containsAll(column("shell_c", "pid")), "the executor's parent is a daemon: " + daemons);
        assertEquals(Set.of(43L), column("shell_c", "v"), "SHLVL of the local-cluster executor's experiment");
    }
}
