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
}
