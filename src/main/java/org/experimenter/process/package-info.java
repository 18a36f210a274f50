/**
 * Experiments that run as processes. Command experiments: a program in any language run once per
 * row, its inputs handed over as environment variables, arguments and a JSON file, its results
 * read back from files ({@link org.experimenter.process.CommandExperiment}, one {@link
 * org.experimenter.process.CommandAttempt} per attempt). And what every experiment kind that
 * starts processes shares: {@link org.experimenter.process.ProcessTree} (a session of its own,
 * ended whole), the row's environment and the output of short programs. Private API. No
 * compatibility guarantees provided; the config's {@code experiment} section and the files and
 * variables a command sees (README, "I have a Python script") are the contract.
 */
package org.experimenter.process;
