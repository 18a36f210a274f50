package org.experimenter.command;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * A started process and every process it started, as far as they can be seen: descendants are
 * collected while the tree runs, so a grandchild left behind by a parent that exited (and so
 * reparented away from the tree) is still known and can be ended. Ends the tree with SIGTERM,
 * then SIGKILL after a grace period. A shutdown hook ends the trees still live when the JVM
 * exits (a stopping driver in local mode, an executor told to stop); a JVM killed by SIGKILL
 * runs no hook, and its processes are left to the cluster manager (YARN ends a container's
 * processes).
 */
final class ProcessTree {
    private static final Logger LOG = Logger.getLogger(ProcessTree.class.getName());
    private static final Set<ProcessTree> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            for (ProcessTree t : LIVE) {
                                t.terminate(Duration.ofSeconds(1));
                            }
                        },
                        "experimenter-command-reaper"));
    }

    private final ProcessHandle root;
    private final Set<ProcessHandle> known = ConcurrentHashMap.newKeySet();

    private ProcessTree(ProcessHandle root) {
        this.root = root;
        known.add(root);
    }

    /** Starts watching a process; {@link #close} stops. */
    static ProcessTree track(Process p) {
        ProcessTree t = new ProcessTree(p.toHandle());
        LIVE.add(t);
        return t;
    }

    /** Adds the processes started since the last look (the root's descendants, and theirs). */
    void refresh() {
        for (ProcessHandle h : new ArrayList<>(known)) {
            if (running(h)) {
                h.descendants().forEach(known::add);
            }
        }
    }

    /** The processes of the tree still running. */
    List<ProcessHandle> running() {
        List<ProcessHandle> out = new ArrayList<>();
        for (ProcessHandle h : known) {
            if (running(h)) {
                out.add(h);
            }
        }
        return out;
    }

    /**
     * SIGTERM to every process of the tree, SIGKILL to those still running after the grace
     * period; returns when none runs (or after a last short wait, logging the survivors).
     */
    void terminate(Duration grace) {
        // an interrupt (the timeout that asked for this) must not cut the grace period short
        boolean interrupted = Thread.interrupted();
        try {
            refresh();
            for (ProcessHandle h : running()) {
                h.destroy();
            }
            long deadline = System.nanoTime() + grace.toNanos();
            while (!running().isEmpty() && System.nanoTime() < deadline) {
                interrupted |= pause(50);
                refresh(); // a process may start children while it handles SIGTERM
            }
            refresh();
            for (ProcessHandle h : running()) {
                h.destroyForcibly();
            }
            long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!running().isEmpty() && System.nanoTime() < end) {
                interrupted |= pause(20);
            }
            if (!running().isEmpty()) {
                LOG.warning("processes " + running() + " survived SIGKILL");
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops watching: the tree has ended, or was terminated. */
    void close() {
        LIVE.remove(this);
    }

    /** Alive and no zombie: an ended process whose parent has not reaped it counts as ended. */
    static boolean running(ProcessHandle h) {
        if (!h.isAlive()) {
            return false;
        }
        Path stat = Path.of("/proc", Long.toString(h.pid()), "stat");
        try {
            String s = Files.readString(stat);
            // pid (comm) state ...: comm may hold spaces and parentheses, the state follows the last ')'
            int close = s.lastIndexOf(')');
            return close < 0 || close + 2 >= s.length() || s.charAt(close + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            return h.isAlive(); // no /proc (not Linux), or the process just went
        }
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
}
