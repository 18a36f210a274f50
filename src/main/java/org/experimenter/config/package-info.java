/**
 * The settings of an experiment config, read from HOCON and validated once, every mistake named
 * by file, line and key; the rules for names each database allows ({@code DatabaseKind}) and the
 * syntax of command templates ({@code Placeholders}). The layer below every other: it imports
 * nothing of the store, Spark or the experiments. Private API. No compatibility guarantees
 * provided; the config files (README, {@code reference.conf}) are the contract.
 */
package org.experimenter.config;
