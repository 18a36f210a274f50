package org.experimenter.process;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * A process started in a session of its own, with everything it starts: ended as a whole.
 *
 * <p>The process is launched through {@code setsid} (util-linux, on every Debian), so it leads a
 * new session and process group: a terminal's Ctrl-C, sent to the tool's foreground group, does
 * not reach it, and the tool stops it on its own terms. Its descendants stay in that session
 * however they fork (a double fork's orphan, reparented to init, keeps it). A process that leaves
 * the session ({@code setsid}, a daemon) still carries the environment it inherited, and every
 * process started here gets a variable {@value #TOKEN_VARIABLE} with a value unique to the tree:
 * a member is a process of the session or one whose {@code /proc/<pid>/environ} holds the token.
 * Only a process that both leaves the session and clears its environment escapes.
 *
 * <p>{@link #terminate} sends SIGTERM to every member, then SIGKILL, looking again until none is
 * left. A shutdown hook ends the trees still open when the JVM exits (in a local-mode driver
 * after the run's own grace period, in an executor at once); a JVM killed by SIGKILL runs no
 * hook, and its processes are left to the cluster manager (YARN ends a container's processes).
 *
 * <pre>
 * ProcessTree tree = ProcessTree.start(new ProcessBuilder("python3", "worker.py"), Duration.ZERO, grace);
 * try {
 *     tree.process().waitFor();
 * } finally {
 *     tree.terminate(grace); // whatever it left behind
 *     tree.close();
 * }
 * </pre>
 */
public final class ProcessTree implements AutoCloseable {
    /**
     * Moves the JVM's pipe to fd 3 and gives the command /dev/null; the command is exec'd, and a
     * background watcher reads the pipe to its end. The pipe ends when the JVM dies, and also
     * when the command exits (Java closes a process's input then) or the tool closes it. A dying
     * JVM closes its files before it turns a zombie, so the watcher waits, while the command (the
     * session leader) still runs, up to 30 s for the JVM (its pid with the start time it had, not
     * a zombie) to be gone; when the command has exited and the JVM lives, the tool ends what is
     * left of the tree itself, with the kill grace, and the watcher exits at once (a JVM killed
     * within the grace that follows a command's exit leaves what is left running). Once the JVM
     * is gone the watcher ends the tree as {@link #terminate} finds it:
     * the session, children of members, sessions members lead and processes carrying the token,
     * each stopped (SIGSTOP) as found, looking again while a look finds more, then all killed
     * with the session's process group (itself among them).
     *
     * <p>The watcher ignores every signal that would end it but SIGKILL (the tool's SIGTERM to
     * the tree, a command's signal to its process group), so it outlives the kill grace: ignored
     * before it is forked, so that a command's first signal cannot come before, and back to their
     * defaults for the command (signals ignored when the shell started stay ignored). It
     * reads each stat file whole (a command name may hold a newline) and expands no pattern in
     * it. POSIX sh (dash): {@code $$} is the session leader, {@code $PPID} the JVM, {@code me}
     * the watcher; a stat line's fields after the command name are state, ppid, pgrp, session,
     * ..., start time (the 20th).
     */
    private static final String WATCHER = """
            exec 3<&0 </dev/null
            trap '' %1$s
            (set -f
            stat() { st=; while IFS= read -r l; do st="$st $l"; done 2>/dev/null <"$1" || [ -n "$st" ]; }
            read -r me _ </proc/self/stat
            stat /proc/$PPID/stat
            set -- ${st##*") "}
            jvm=${20}
            jvm() { stat /proc/$PPID/stat && set -- ${st##*") "} && [ "$1" != Z ] && [ "${20}" = "$jvm" ]; }
            leader() { stat /proc/$$/stat && set -- ${st##*") "} && [ "$1" != Z ]; }
            cat <&3 >/dev/null
            n=0
            while jvm; do
            leader && [ $n -lt 300 ] || exit 0
            n=$((n+1))
            sleep 0.1
            done
            kill -STOP $$ 2>/dev/null
            known=" $$ " new=1
            while [ -n "$new" ]; do
            new=
            set +f; for d in /proc/[0-9]*; do set -f
            p=${d#/proc/}
            case "$known" in *" $p "*) continue;; esac
            stat "$d/stat" || continue
            set -- ${st##*") "}
            [ "$p" = "$me" ] || [ "$2" = "$me" ] && continue
            case "$known" in *" $2 "*|*" $4 "*) ;; *) grep -qzxF -- "EXPERIMENTER_PROCESS_TOKEN=$EXPERIMENTER_PROCESS_TOKEN" "$d/environ" 2>/dev/null || continue;; esac
            kill -STOP "$p" 2>/dev/null
            known="$known$p " new=1
            done
            done
            kill -KILL $known -$$ 2>/dev/null) &
            trap - %1$s
            exec "$@" 3<&-
            """.formatted(ignoredSignals());

    /**
     * The signals the watcher ignores: all whose default ends a process, but SIGKILL (and
     * SIGCHLD, whose ignoring would reap its children before dash waits for them): by name, and
     * the ones dash knows only by number (SIGSTKFLT; the real-time signals 34 to 64).
     */
    private static String ignoredSignals() {
        StringBuilder b = new StringBuilder(
                "HUP INT QUIT ABRT USR1 USR2 PIPE ALRM TERM 16 TSTP TTIN TTOU XCPU XFSZ VTALRM PROF IO PWR SYS");
        for (int s = 34; s <= 64; s++) {
            b.append(' ').append(s);
        }
        return b.toString();
    }

    /** The environment variable that marks every process of a tree. */
    public static final String TOKEN_VARIABLE = "EXPERIMENTER_PROCESS_TOKEN";

    private static final Logger LOG = Logger.getLogger(ProcessTree.class.getName());
    private static final Set<ProcessTree> LIVE = ConcurrentHashMap.newKeySet();
    private static final String SETSID = setsid();
    private static final long SELF = ProcessHandle.current().pid();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ProcessTree::atExit, "experimenter-command-reaper"));
        if (SETSID == null) {
            LOG.warning("setsid (util-linux) is not on this host: commands run in the tool's process group,"
                    + " so a terminal's Ctrl-C reaches them directly; install util-linux");
        }
    }

    private final Process process;
    private final long session;
    private final byte[] mark;
    private final Duration patience;
    private final Duration killGrace;
    private final long started;
    /**
     * Every process seen as a member, with its start time: their children and the sessions they
     * lead are members too, as long as the pid is still theirs (not given to another process
     * after the kernel's pids wrapped around).
     */
    private final Map<Long, Long> known = new ConcurrentHashMap<>();

    private ProcessTree(Process process, String token, Duration patience, Duration killGrace) {
        this.process = process;
        this.started = startTime(process.pid());
        // setsid execs the command in place (a child of the JVM never leads a group), so the
        // command's pid is the session's id
        this.session = SETSID == null ? -1 : process.pid();
        known.put(process.pid(), started);
        this.mark = (TOKEN_VARIABLE + "=" + token + "\0").getBytes(StandardCharsets.US_ASCII);
        this.patience = patience;
        this.killGrace = killGrace;
    }

    /**
     * The patience of {@link #start} for a tree started here: {@code inDriver} in a local-mode
     * driver, whose run's stop hook first gives running experiments their grace period; zero in an
     * executor's JVM that exits, or without Spark (run-one), which end their processes at once.
     */
    public static Duration patience(Duration inDriver) {
        org.apache.spark.SparkEnv env = org.apache.spark.SparkEnv.get();
        return env != null && "driver".equals(env.executorId()) ? inDriver : Duration.ZERO;
    }

    /**
     * Starts the builder's command in a session of its own, marked with a fresh token; {@link
     * #close} when it has ended.
     *
     * @param patience how long the JVM's shutdown hook lets the tree end by itself: in a driver
     *     whose stop hook gives running experiments a grace period, that period and more; else zero
     * @param killGrace how long the shutdown hook gives SIGTERM before SIGKILL
     * @throws IOException the program cannot be started (named, with the reason)
     */
    public static ProcessTree start(ProcessBuilder pb, Duration patience, Duration killGrace) throws IOException {
        return start(pb, patience, killGrace, false);
    }

    /**
     * {@link #start}, and with {@code endWithJvm} the process's input (which must be {@code
     * /dev/null}: the command gets that) is a pipe from this JVM instead, watched by a shell in the
     * tree's session: when the JVM dies without ending the tree (SIGKILL, no hook runs), the pipe
     * reaches its end and the watcher kills the tree ({@link #WATCHER}), so the command does not
     * run on beside the attempt that recovery starts again.
     */
    public static ProcessTree start(ProcessBuilder pb, Duration patience, Duration killGrace, boolean endWithJvm)
            throws IOException {
        String token = UUID.randomUUID().toString();
        List<String> command = new ArrayList<>(pb.command());
        boolean watched = false;
        if (SETSID != null) {
            // setsid reports a missing program only on stderr; say it the way Java would
            checkProgram(command.get(0), pb);
            if (endWithJvm) {
                // the session leader execs the command (same pid); the watcher reads the JVM's pipe on fd 3
                command.addAll(0, List.of("/bin/sh", "-c", WATCHER, "experimenter-watch"));
                watched = true;
            }
            command.add(0, SETSID);
        }
        ProcessBuilder launch = new ProcessBuilder(command);
        launch.directory(pb.directory());
        launch.environment().clear();
        launch.environment().putAll(pb.environment());
        launch.environment().put(TOKEN_VARIABLE, token);
        launch.redirectInput(watched ? ProcessBuilder.Redirect.PIPE : pb.redirectInput());
        launch.redirectOutput(pb.redirectOutput());
        launch.redirectError(pb.redirectError());
        launch.redirectErrorStream(pb.redirectErrorStream());
        ProcessTree t = new ProcessTree(launch.start(), token, patience, killGrace);
        LIVE.add(t);
        return t;
    }

    /** The process started, the tree's root. */
    public Process process() {
        return process;
    }

    /** The processes of the tree still running (zombies count as ended), the root included. */
    public List<ProcessHandle> running() {
        List<ProcessHandle> out = new ArrayList<>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path p : proc) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long pid = Long.parseLong(name);
                if (pid != SELF && member(p, pid)) {
                    ProcessHandle.of(pid).ifPresent(out::add);
                }
            }
        } catch (IOException e) {
            // no /proc (not Linux): the root is all that can be seen
            if (process.isAlive()) {
                out.add(process.toHandle());
            }
        }
        return out;
    }

    private boolean member(Path proc, long pid) {
        try {
            String[] f = stat(proc);
            if (f[0].equals("Z") || f[0].equals("X") || Long.parseLong(f[19]) < started) {
                return false; // ended, or older than the tree: no descendant of it
            }
            long parent = Long.parseLong(f[1]);
            long sid = Long.parseLong(f[3]);
            // a process in the middle of an exec shows an empty environment: its parent, or the
            // session a member made, gives it away
            if (sid == session
                    || stillKnown(parent)
                    || stillKnown(sid)
                    || contains(Files.readAllBytes(proc.resolve("environ")), mark)) {
                known.put(pid, Long.parseLong(f[19]));
                return true;
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false; // gone meanwhile, or another user's process
        }
    }

    /**
     * Whether the pid is a member's still: known, and running with the start time it had then,
     * or no longer running (a session's id stays the leader's while any process of it lives, so
     * the kernel gives the pid to no other process meanwhile).
     */
    private boolean stillKnown(long pid) {
        Long then = known.get(pid);
        if (then == null) {
            return false;
        }
        try {
            String[] f = stat(Path.of("/proc", Long.toString(pid)));
            return Long.parseLong(f[19]) == then;
        } catch (IOException | RuntimeException e) {
            return true; // gone meanwhile
        }
    }

    /**
     * CPU seconds of a live process and of its children it has waited for (utime, stime, cutime
     * and cstime of /proc/&lt;pid&gt;/stat, in ticks of 1/100 s); NaN when it cannot be read (the
     * process has ended and been reaped, or this is not Linux).
     */
    public static double cpuSeconds(long pid) {
        try {
            String[] f = stat(Path.of("/proc", Long.toString(pid)));
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
            return ticks / 100.0;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** The fields of /proc/&lt;pid&gt;/stat after the command name: state, ppid, pgrp, session, ..., starttime [19]. */
    private static String[] stat(Path proc) throws IOException {
        String stat = Files.readString(proc.resolve("stat"));
        // the command name, in parentheses, may hold spaces and parentheses itself
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ", 21);
    }

    private static boolean contains(byte[] environ, byte[] mark) {
        // variables are NUL-separated: the mark matches at the start or after a NUL
        outer:
        for (int i = 0; i + mark.length <= environ.length; i++) {
            if (i > 0 && environ[i - 1] != 0) {
                continue;
            }
            for (int j = 0; j < mark.length; j++) {
                if (environ[i + j] != mark[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /**
     * SIGTERM to every process of the tree, SIGKILL to those still running after the grace
     * period; returns when none runs (or after a last short wait, logging the survivors). A
     * process started meanwhile gets the same. An interrupt does not cut the grace period short;
     * it is kept for the caller.
     */
    public void terminate(Duration grace) {
        boolean interrupted = Thread.interrupted();
        try {
            Set<Long> told = new HashSet<>();
            List<ProcessHandle> left = settled();
            // every process found gets SIGTERM before any gets SIGKILL, and the grace period counts
            // from the first SIGTERM: a look at /proc may take longer than the grace on a loaded
            // machine, and counted from before it, a child noting its SIGTERM got SIGKILL first
            long deadline = Long.MAX_VALUE;
            while (!left.isEmpty() && System.nanoTime() < deadline) {
                for (ProcessHandle h : left) {
                    if (told.add(h.pid())) {
                        h.destroy();
                    }
                }
                if (deadline == Long.MAX_VALUE) {
                    deadline = System.nanoTime() + grace.toNanos();
                }
                interrupted |= pause(50);
                left = settled();
            }
            long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!left.isEmpty() && System.nanoTime() < end) {
                left.forEach(ProcessHandle::destroyForcibly);
                interrupted |= pause(20);
                left = settled();
            }
            if (!left.isEmpty()) {
                LOG.warning("processes " + left + " survived SIGKILL");
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The running processes; when none, a second look a moment later: a process forked between
     * two reads of /proc, or in the middle of an exec, may be missed by one look.
     */
    private List<ProcessHandle> settled() {
        List<ProcessHandle> left = running();
        if (left.isEmpty()) {
            if (pause(10)) {
                Thread.currentThread().interrupt(); // terminate() keeps it for its caller
            }
            left = running();
        }
        return left;
    }

    /** Stops watching: the tree has ended, or was terminated. */
    @Override
    public void close() {
        LIVE.remove(this);
        try {
            process.getOutputStream().close(); // a watcher's pipe, else nothing
        } catch (IOException e) {
            // nothing reads it any more
        }
    }

    /**
     * The JVM is exiting. In a local-mode driver that is how a run stops (Ctrl-C, SIGTERM): its
     * stop hook, running beside this one, gives the experiments their grace period and their
     * runs end their trees, so each tree is first given its patience. What is left then is ended.
     */
    private static void atExit() {
        long start = System.nanoTime();
        for (ProcessTree t : List.copyOf(LIVE)) {
            while (LIVE.contains(t) && System.nanoTime() - start < t.patience.toNanos()) {
                pause(100);
            }
        }
        List<ProcessTree> left = List.copyOf(LIVE);
        for (ProcessTree t : left) {
            t.running().forEach(ProcessHandle::destroy); // all at once: the grace periods run together
        }
        long terminated = System.nanoTime();
        for (ProcessTree t : left) {
            long spent = System.nanoTime() - terminated;
            t.terminate(Duration.ofNanos(Math.max(0, t.killGrace.toNanos() - spent)));
        }
    }

    /** Alive and no zombie: an ended process whose parent has not reaped it counts as ended. */
    public static boolean running(ProcessHandle h) {
        if (!h.isAlive()) {
            return false;
        }
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(h.pid()), "stat"));
            int close = s.lastIndexOf(')');
            return close < 0 || close + 2 >= s.length() || s.charAt(close + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            return h.isAlive(); // no /proc (not Linux), or the process just went
        }
    }

    /**
     * When a process started, in clock ticks since boot; 0 when unknown. Only what started since
     * the root can belong to its tree, so older processes are passed over without reading their
     * environment (reading every process's costs about 0.2 ms each on a loaded host).
     */
    private static long startTime(long pid) {
        try {
            return Long.parseLong(stat(Path.of("/proc", Long.toString(pid)))[19]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Fails as Java's own start would when the program is missing or not executable. */
    private static void checkProgram(String program, ProcessBuilder pb) throws IOException {
        List<Path> candidates = new ArrayList<>();
        if (program.contains("/")) {
            Path dir = pb.directory() == null ? Path.of("") : pb.directory().toPath();
            candidates.add(dir.toAbsolutePath().resolve(program));
        } else {
            String path = pb.environment().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
            for (String d : path.split(File.pathSeparator)) {
                candidates.add(Path.of(d.isEmpty() ? "." : d, program));
            }
        }
        boolean exists = false;
        for (Path c : candidates) {
            if (Files.isRegularFile(c) && Files.isExecutable(c)) {
                return;
            }
            exists |= Files.exists(c);
        }
        throw new IOException("Cannot run program \"" + program + "\": "
                + (exists ? "error=13, Permission denied" : "error=2, No such file or directory"));
    }

    private static String setsid() {
        for (String p : List.of("/usr/bin/setsid", "/bin/setsid")) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        return null;
    }

    /** Sleeps; true when interrupted meanwhile. */
    private static boolean pause(long millis) {
        try {
            Thread.sleep(millis);
            return false;
        } catch (InterruptedException e) {
            return true;
        }
    }

    /** How a process ended, from its exit code: "exited with code 2", "was killed by signal 9 (SIGKILL), ...". */
    public static String exitText(int code) {
        if (code > 128 && code < 128 + 65) {
            int signal = code - 128;
            String name = SIGNALS.get(signal);
            return "was killed by signal " + signal + (name == null ? "" : " (" + name + ")") + ", exit code " + code;
        }
        return "exited with code " + code;
    }

    private static final Map<Integer, String> SIGNALS = Map.ofEntries(
            Map.entry(1, "SIGHUP"),
            Map.entry(2, "SIGINT"),
            Map.entry(3, "SIGQUIT"),
            Map.entry(4, "SIGILL"),
            Map.entry(6, "SIGABRT"),
            Map.entry(7, "SIGBUS"),
            Map.entry(8, "SIGFPE"),
            Map.entry(9, "SIGKILL"),
            Map.entry(11, "SIGSEGV"),
            Map.entry(13, "SIGPIPE"),
            Map.entry(15, "SIGTERM"));
}
