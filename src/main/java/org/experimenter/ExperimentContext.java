package org.experimenter;

import com.typesafe.config.Config;

/** What an experiment gets for one row: its parameters, a writer for results, the custom config. */
public interface ExperimentContext {

  /** The row's id in the experiment table. */
  long id();

  /** The row's keyfield values, with typed getters. */
  Parameters parameters();

  /** Where results go; declared result fields only, with their declared types. */
  ResultWriter results();

  /** The {@code custom} section of the config, as given. */
  Config custom();

  /** True once the run is stopping (Ctrl-C, SIGTERM, timeout): long experiments should return. */
  boolean isStopping();
}
