package org.experimenter;

import java.io.Serializable;

/**
 * One experiment: the function run once per row of the experiment table, on a Spark
 * executor. It reads its parameters, computes, and writes its results:
 *
 * <pre>{@code
 * public class Knn implements Experiment {
 *   public void run(ExperimentContext ctx) throws Exception {
 *     int k = ctx.parameters().getInt("k");
 *     long seed = ctx.parameters().getLong("seed");
 *     double accuracy = ...;
 *     ctx.results().put("accuracy", accuracy);
 *   }
 * }
 * }</pre>
 *
 * An exception ends the row as {@code error} with its stack trace; it never fails the Spark
 * job. Implementations must be serializable (they travel to executors) and, when named in a
 * config file, have a public no-argument constructor.
 */
@FunctionalInterface
public interface Experiment extends Serializable {
    void run(ExperimentContext context) throws Exception;

    /**
     * Whether the experiment does its work in processes of its own (a command, a Python worker):
     * only such a process can be killed for want of memory while the JVM goes on, so only then is
     * the kernel's count of OOM kills read around each attempt to tell an out-of-memory SIGKILL
     * from another. False unless overridden.
     */
    default boolean runsProcesses() {
        return false;
    }
}
