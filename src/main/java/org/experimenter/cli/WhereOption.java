package org.experimenter.cli;

import picocli.CommandLine.Option;

/**
 * {@code --where} of run, reset, eval, plot and export: one condition, read by the same rule in
 * each ({@code store/Where}).
 */
final class WhereOption {
    @Option(
            names = "--where",
            paramLabel = "<condition>",
            description = "Only rows matching this condition: one boolean expression in Spark SQL's grammar over"
                    + " the table's columns, e.g. \"seed < 3 AND dataset = 'iris'\" (no subquery, function or ;).")
    String where;
}
