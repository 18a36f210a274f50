package org.experimenter.cli;

import picocli.CommandLine.Option;

/**
 * {@code --stage} of run, eval, compare, plot, export and report: only the rows of one stage (1:
 * the grid, 2 and up: rows {@code promote} added), composed with {@code --where} as one checked
 * condition. A run of one stage gets the resources of its {@code stages} section.
 */
final class StageOption {
    @Option(
            names = "--stage",
            paramLabel = "<n>",
            description = "Only rows of this stage: 1 is the grid, 2 and up the rows promote added (default: all).")
    Integer stage;
}
