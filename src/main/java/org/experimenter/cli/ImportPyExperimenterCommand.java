package org.experimenter.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import org.experimenter.ExperimenterException;
import org.experimenter.pyexperimenter.ConfigImport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code experimenter import-pyexperimenter}: a PyExperimenter YAML config as this tool's HOCON config. */
@Command(
        name = "import-pyexperimenter",
        description = "Write the HOCON config equivalent to a PyExperimenter (1.4.2) YAML config, and print what"
                + " was decided.")
final class ImportPyExperimenterCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CONFIG_YML", description = "PyExperimenter's experiment configuration.")
    Path yaml;

    @Option(
            names = "--credentials",
            description = "PyExperimenter's database credential file (provider mysql); the password is never copied.")
    Path credentials;

    @Option(
            names = {"-o", "--output"},
            required = true,
            description = "The HOCON config to write.")
    Path output;

    @Option(names = "--table", description = "The experiment table's name here (default: PyExperimenter's).")
    String table;

    @Option(
            names = "--function",
            paramLabel = "FILE.py:FUNCTION",
            description = "PyExperimenter's experiment function the config runs (a file relative to where the tool"
                    + " runs, or module:function), e.g. --function run_ml.py:run_ml; without it the config has no"
                    + " experiment.")
    String function;

    @Option(names = "--force", description = "Overwrite the output file if it exists.")
    boolean force;

    // never read here: Main's exception handler looks for it in the parse result
    @Option(names = "--verbose", description = "Print stack traces of errors, and the tool's detail log lines.")
    boolean verbose;

    @Override
    public Integer call() throws IOException {
        if (Files.exists(output) && !force) {
            throw new ExperimenterException(output + " exists; give --force to overwrite it");
        }
        ConfigImport.Result r = ConfigImport.read(yaml, credentials, table, function);
        Path abs = output.toAbsolutePath();
        if (abs.getParent() != null) {
            Files.createDirectories(abs.getParent());
        }
        Path scratch = abs.resolveSibling("." + abs.getFileName() + ".tmp");
        Files.writeString(scratch, r.hocon());
        Files.move(scratch, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("wrote " + output + " (table " + r.table() + ")");
        r.decisions().forEach(d -> System.out.println("  " + d));
        if (r.function() == null) {
            System.out.println("note: " + ConfigImport.NO_EXPERIMENT);
        }
        if (r.readsPassword()) {
            System.out.println("set " + ConfigImport.PASSWORD_VARIABLE + " to the database password before running");
        }
        return 0;
    }
}
