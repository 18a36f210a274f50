/**
 * The command line, one file per command, {@code Main} with the list of commands. Private API;
 * the commands, their options and outputs (README) are the contract.
 */
package org.experimenter.cli;
