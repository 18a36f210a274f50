package org.experimenter.cli;

import java.nio.file.Path;
import org.experimenter.Experimenter;
import picocli.CommandLine.Option;

/** The options every command takes: the config file and --verbose. Mixed into each command. */
final class CommonOptions {
    @Option(
            names = {"-c", "--config"},
            required = true,
            description = "The experiment's HOCON config file.")
    Path config;

    // never read here: Main's exception handler looks for it in the parse result
    @Option(names = "--verbose", description = "Print stack traces of errors, and the tool's detail log lines.")
    boolean verbose;

    Experimenter experimenter() {
        return Experimenter.load(ConfigFile.resolve(config));
    }
}
