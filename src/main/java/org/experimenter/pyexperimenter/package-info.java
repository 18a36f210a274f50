/**
 * Moving over from PyExperimenter 1.4.2: its YAML config read into this tool's HOCON
 * ({@link org.experimenter.pyexperimenter.ConfigImport}), and its existing tables copied into
 * this tool's ({@link org.experimenter.pyexperimenter.TableAdoption}). Private API: no
 * compatibility guarantees provided; the CLI commands {@code import-pyexperimenter} and
 * {@code adopt-pyexperimenter} are the way in.
 */
package org.experimenter.pyexperimenter;
