package org.experimenter.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;
import java.util.function.IntSupplier;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.experimenter.ExperimenterException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The command line: {@code experimenter <command> --config FILE}, one class per command in this
 * package. Errors end as one line on standard error and exit code 1; a bad command line as
 * picocli's usage message and exit code 2.
 */
@Command(
        name = "experimenter",
        mixinStandardHelpOptions = true,
        version = "experimenter 0.1.0",
        description = "Runs grids of experiments on Apache Spark and keeps every result in a database.",
        subcommands = {
            FillCommand.class,
            PromoteCommand.class,
            HalveCommand.class,
            RunCommand.class,
            RunOneCommand.class,
            UnpauseCommand.class,
            StatusCommand.class,
            ResetCommand.class,
            RecoverCommand.class,
            DropCommand.class,
            EvalCommand.class,
            ReportCommand.class,
            ReproduceCommand.class,
            CompareCommand.class,
            SqlCommand.class,
            PlotCommand.class,
            ExportCommand.class,
            ImportPyExperimenterCommand.class,
            AdoptPyExperimenterCommand.class,
            InitCommand.class,
            ServeCommand.class,
            SlurmCommand.class
        })
public final class Main implements Callable<Integer> {

    public static void main(String[] args) {
        Integer inDaemon = DaemonClient.run(args);
        if (inDaemon != null) {
            System.exit(inDaemon);
        }
        if (!isYarnClusterDriver()) {
            System.exit(execute(args));
        }
        // A YARN cluster-mode driver runs inside the ApplicationMaster, which sets the app's final
        // status when main returns or throws: System.exit there, even exit(0), is reported as
        // FAILED ("Shutdown hook called before final status was reported"), and what the driver
        // prints reaches only the container log. An exception thrown from main becomes the app's
        // diagnostics, which spark-submit prints before it exits with code 1.
        StringWriter errors = new StringWriter();
        int code = execute(new PrintWriter(errors, true), args);
        System.err.print(errors);
        System.err.flush();
        if (code != 0) {
            throw new ExperimenterException(errors.toString().trim() + " (exit code " + code + ")");
        }
    }

    private static boolean isYarnClusterDriver() {
        return "cluster".equals(System.getProperty("spark.submit.deployMode"))
                && System.getProperty("spark.master", "").startsWith("yarn");
    }

    /** Runs a command and returns its exit code (tests call this instead of main). */
    public static int execute(String... args) {
        return execute(null, args);
    }

    /** Runs a command with its error messages written to errors (standard error when null). */
    static int execute(PrintWriter errors, String... args) {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$s %3$s: %5$s%6$s%n");
        }
        if (System.getProperty("java.awt.headless") == null) {
            // plots are drawn off screen; never reach for a display
            System.setProperty("java.awt.headless", "true");
        }
        if (args.length > 0 && SparkSessions.COMMANDS.contains(args[0])) {
            SparkSessions.warmUp();
        }
        CommandLine cl = new CommandLine(new Main());
        if (errors != null) {
            cl.setErr(errors);
        }
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            // --verbose belongs to the subcommand, not to the top-level parse result
            boolean verbose = false;
            for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
                verbose |= p.hasMatchedOption("--verbose");
            }
            PrintWriter err = cmd.getErr();
            if (e instanceof ExperimenterException && !verbose) {
                err.println("error: " + e.getMessage());
            } else if (verbose) {
                e.printStackTrace(err);
            } else {
                err.println("error: " + e + " (run with --verbose for the stack trace)");
            }
            err.flush();
            return 1;
        });
        return verbose(args) ? withDetail(() -> cl.execute(args)) : cl.execute(args);
    }

    private static boolean verbose(String... args) {
        for (String a : args) {
            if (a.equals("--verbose")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs with the tool's detail log lines (level FINE, such as "created table") shown; without
     * --verbose a command prints its own lines and the log's warnings and notices only.
     */
    private static int withDetail(IntSupplier command) {
        Logger tool = Logger.getLogger("org.experimenter");
        Level before = tool.getLevel();
        ConsoleHandler detail = new ConsoleHandler();
        detail.setLevel(Level.FINE);
        tool.setLevel(Level.FINE);
        // the root's console handler keeps INFO and above; this one adds the detail below it
        detail.setFilter(r -> r.getLevel().intValue() < Level.INFO.intValue());
        tool.addHandler(detail);
        try {
            return command.getAsInt();
        } finally {
            tool.removeHandler(detail);
            tool.setLevel(before);
            detail.close();
        }
    }

    /** Without a command: the usage, and exit code 2 as for any other bad command line. */
    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 2;
    }
}
