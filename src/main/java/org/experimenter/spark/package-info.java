/**
 * A run on Spark: the driver's rounds, stop hook and summary ({@code RunJob}), and on the
 * executors the claim loop of a task ({@code Worker}), the supervised experiment thread and the
 * heartbeat. Private API. No compatibility guarantees provided.
 */
package org.experimenter.spark;
