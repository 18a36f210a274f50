/**
 * Significance tests for comparing methods over seeds and data sets: pure functions of arrays, no Spark.
 * Private API. No compatibility guarantees provided.
 */
package org.experimenter.eval.stats;
