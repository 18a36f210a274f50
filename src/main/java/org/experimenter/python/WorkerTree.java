package org.experimenter.python;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * A worker process and what it started: its descendants, and every process in the session the
 * worker opened (it calls setsid first), which also finds children orphaned by a parent that
 * exited. Ended with SIGTERM, then SIGKILL after the kill grace. Processes are collected on
 * each look, so the set only grows while the tree is being ended.
 */
final class WorkerTree {
    private static final Logger LOG = Logger.getLogger(WorkerTree.class.getName());

    private final ProcessHandle root;
    private final Set<ProcessHandle> known = ConcurrentHashMap.newKeySet();

    WorkerTree(ProcessHandle root) {
        this.root = root;
        known.add(root);
    }

    /** SIGTERM to every process of the tree, SIGKILL after grace to those left; returns when none runs. */
    void end(Duration grace) {
        // an interrupt (the timeout that asked for this) must not cut the grace period short
        boolean interrupted = Thread.interrupted();
        try {
            collect();
            running().forEach(ProcessHandle::destroy);
            long deadline = System.nanoTime() + grace.toNanos();
            while (!running().isEmpty() && System.nanoTime() < deadline) {
                interrupted |= pause(50);
                collect();
            }
            collect();
            running().forEach(ProcessHandle::destroyForcibly);
            long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!running().isEmpty() && System.nanoTime() < end) {
                interrupted |= pause(20);
            }
            if (!running().isEmpty()) {
                LOG.warning("processes " + running() + " of a Python worker survived SIGKILL");
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Adds the descendants of the root and the processes of its session. */
    void collect() {
        root.descendants().forEach(known::add);
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : proc) {
                Stat s = Stat.of(Long.parseLong(p.getFileName().toString()));
                if (s != null && s.session() == root.pid()) {
                    ProcessHandle.of(s.pid()).ifPresent(known::add);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc (not Linux): the descendants are what can be seen
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

    /** Alive and no zombie: an ended process whose parent has not reaped it counts as ended. */
    static boolean running(ProcessHandle h) {
        if (!h.isAlive()) {
            return false;
        }
        Stat s = Stat.of(h.pid());
        return s == null ? h.isAlive() : s.state() != 'Z';
    }

    private static boolean pause(long millis) {
        try {
            Thread.sleep(millis);
            return false;
        } catch (InterruptedException e) {
            return true;
        }
    }

    /** The fields of /proc/<pid>/stat used here. */
    record Stat(long pid, char state, long session) {
        static Stat of(long pid) {
            try {
                String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                // pid (comm) state ppid pgrp session ...: comm may hold spaces and parentheses
                int close = s.lastIndexOf(')');
                String[] f = s.substring(close + 2).split(" ");
                return new Stat(pid, f[0].charAt(0), Long.parseLong(f[3]));
            } catch (IOException | RuntimeException e) {
                return null; // gone, or no /proc
            }
        }
    }
}
