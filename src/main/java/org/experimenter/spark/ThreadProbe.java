package org.experimenter.spark;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Owns what the worker reads about threads: the CPU time and allocated bytes of the current
 * (runner) thread, for an experiment's resources, and whether a thread is inside System.exit.
 */
final class ThreadProbe {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ThreadProbe() {}

    /** CPU time of the current thread in nanoseconds. */
    static long cpuNanos() {
        return THREADS.getCurrentThreadCpuTime();
    }

    /** Bytes the current thread has allocated; 0 on a JVM that does not count them. */
    static long allocatedBytes() {
        if (THREADS instanceof com.sun.management.ThreadMXBean) {
            return ((com.sun.management.ThreadMXBean) THREADS).getCurrentThreadAllocatedBytes();
        }
        return 0;
    }

    /**
     * Whether a thread of the group (its subgroups included) is inside System.exit /
     * Runtime.halt; false for null (a group that ended).
     */
    static boolean anyCallsExit(ThreadGroup group) {
        if (group == null) {
            return false;
        }
        Thread[] threads = new Thread[group.activeCount() + 16];
        int n = group.enumerate(threads, true);
        for (int i = 0; i < n; i++) {
            if (callsExit(threads[i])) {
                return true;
            }
        }
        return false;
    }

    /** Whether the thread is inside System.exit / Runtime.halt, waiting for the JVM to end. */
    static boolean callsExit(Thread t) {
        if (t == null) {
            return false;
        }
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().equals("java.lang.Shutdown")
                    || (e.getClassName().equals("java.lang.Runtime")
                            && (e.getMethodName().equals("exit")
                                    || e.getMethodName().equals("halt")))) {
                return true;
            }
        }
        return false;
    }
}
