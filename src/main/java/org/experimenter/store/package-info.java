/**
 * The experiment table and its companions behind one facade, {@code ExperimentStore}, which only
 * delegates to one class per job (set-up, fill, claims, completions, recovery, reads, admin).
 * SQL is written here and in {@code store.dialect} only; a {@code --where} condition and a run's
 * scope arrive as values ({@code Where}, {@code RunScope}) and become SQL here. Private API. No
 * compatibility guarantees provided.
 */
package org.experimenter.store;
