package org.experimenter.command;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * A started process and every process it started, as far as they can be seen: descendants are
 * collected while the tree runs, so a grandchild left behind by a parent that exited (and so
 * reparented away from the tree) is still known and can be ended. Ends the tree with SIGTERM,
 * then SIGKILL after a grace period. A shutdown hook ends the trees still live when the JVM
 * exits (in a local-mode driver after the run's own grace period, in an executor at once); a
 * JVM killed by SIGKILL runs no hook, and its processes are left to the cluster manager (YARN
 * ends a container's processes).
 */
final class ProcessTree {
    private static final Logger LOG = Logger.getLogger(ProcessTree.class.getName());
    private static final Set<ProcessTree> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ProcessTree::atExit, "experimenter-command-reaper"));
    }

    private final Set<ProcessHandle> known = ConcurrentHashMap.newKeySet();
    private final Duration patience;
    private final Duration killGrace;

    private ProcessTree(ProcessHandle root, Duration patience, Duration killGrace) {
        known.add(root);
        this.patience = patience;
        this.killGrace = killGrace;
    }

    /**
     * Starts watching a process; {@link #close} stops.
     *
     * @param patience how long the shutdown hook lets the tree end by itself: in a driver whose
     *     stop hook gives running experiments a grace period, that period and more; else zero
     * @param killGrace how long SIGTERM is given before SIGKILL
     */
    static ProcessTree track(Process p, Duration patience, Duration killGrace) {
        ProcessTree t = new ProcessTree(p.toHandle(), patience, killGrace);
        LIVE.add(t);
        return t;
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
            t.refresh();
            t.running().forEach(ProcessHandle::destroy);
        }
        long terminated = System.nanoTime();
        for (ProcessTree t : left) {
            while (!t.running().isEmpty() && System.nanoTime() - terminated < t.killGrace.toNanos()) {
                pause(50);
            }
            t.terminate(Duration.ZERO);
        }
    }

    /** Adds the processes started since the last look: children of the tree's running processes, and theirs. */
    void refresh() {
        // one walk of the process table, rather than one per process of the tree
        Map<Long, List<ProcessHandle>> children = new HashMap<>();
        ProcessHandle.allProcesses()
                .forEach(h -> h.parent()
                        .ifPresent(parent -> children.computeIfAbsent(parent.pid(), k -> new ArrayList<>())
                                .add(h)));
        Deque<ProcessHandle> todo = new ArrayDeque<>();
        for (ProcessHandle h : known) {
            if (h.isAlive()) {
                todo.add(h);
            }
        }
        while (!todo.isEmpty()) {
            for (ProcessHandle child : children.getOrDefault(todo.poll().pid(), List.of())) {
                if (known.add(child)) {
                    todo.add(child);
                }
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
