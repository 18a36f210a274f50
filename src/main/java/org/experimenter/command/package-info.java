/**
 * Command experiments: a program in any language run once per row, its inputs handed over as
 * environment variables, arguments and a JSON file, its results read back from files. Private
 * API. No compatibility guarantees provided; the config's {@code experiment} section and the
 * files and variables a command sees (README, "I have a Python script") are the contract.
 */
package org.experimenter.command;
