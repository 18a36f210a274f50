/**
 * The public API: {@link org.experimenter.Experiment} (the function of one row), {@link
 * org.experimenter.ExperimentContext} (what it sees), {@link org.experimenter.Experimenter} (fill,
 * run, reset, evaluate a config's table), {@link org.experimenter.RunOptions}, {@link
 * org.experimenter.RunSummary}, {@link org.experimenter.Recovery} and the exceptions. Every other
 * package is private API.
 */
package org.experimenter;
