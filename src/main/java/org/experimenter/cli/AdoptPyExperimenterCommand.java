package org.experimenter.cli;

import java.io.Console;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.concurrent.Callable;
import org.experimenter.ExperimenterException;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.pyexperimenter.TableAdoption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code experimenter adopt-pyexperimenter}: copies a PyExperimenter table into the config's table. */
@Command(
        name = "adopt-pyexperimenter",
        description = "Copy a table PyExperimenter (1.4.2) filled, and its log tables, into the config's table:"
                + " same ids, statuses, results, errors and dates; rows already here are skipped.")
final class AdoptPyExperimenterCommand implements Callable<Integer> {
    /** The password of --from-user, never on the command line. */
    static final String PASSWORD_VARIABLE = "PYEXPERIMENTER_DB_PASSWORD";

    @Mixin
    CommonOptions common;

    @Option(
            names = "--from",
            required = true,
            description = "PyExperimenter's SQLite file (<database>.db) or a MySQL/MariaDB JDBC URL"
                    + " (jdbc:mariadb://host/database).")
    String from;

    @Option(names = "--table", required = true, description = "PyExperimenter's table name.")
    String table;

    @Option(
            names = "--zone",
            description = "The time zone PyExperimenter's dates are local time of"
                    + " (default: this machine's, ${DEFAULT-VALUE}).")
    String zone = ZoneId.systemDefault().getId();

    @Option(
            names = "--reset-running",
            description = "Copy rows PyExperimenter left running (a crashed run leaves them so forever) as created.")
    boolean resetRunning;

    @Option(
            names = "--null-as",
            description = "Store NULL string keyfields (PyExperimenter's conditional grids leave some unset) as this"
                    + " text, e.g. nan; without it such rows are refused.")
    String nullAs;

    @Option(
            names = "--from-user",
            description = "The user of --from, whose password is read from " + PASSWORD_VARIABLE
                    + " (default: the config's user and password when --from is the config's own database server,"
                    + " same host and port; no user for another host).")
    String fromUser;

    @Override
    public Integer call() {
        ExperimentConfig config = common.experimenter().config();
        ZoneId z;
        try {
            z = ZoneId.of(zone);
        } catch (DateTimeException e) {
            throw new ExperimenterException("--zone " + zone + ": not a time zone (e.g. Europe/Berlin, UTC, +01:00)");
        }
        String password = fromUser == null ? null : System.getenv().getOrDefault(PASSWORD_VARIABLE, "");
        TableAdoption.Options o = new TableAdoption.Options(from, table, z, resetRunning, nullAs, fromUser, password);
        Console console = System.console();
        if (!resetRunning && console != null) {
            long running = TableAdoption.runningRows(config, o);
            if (running > 0) {
                String answer = console.readLine(
                        "%d rows of %s are running; PyExperimenter leaves the rows of a crashed run running forever."
                                + " Copy them as created, to run again? [y/N] ",
                        running, table);
                if (answer == null
                        || !answer.trim().toLowerCase(java.util.Locale.ROOT).startsWith("y")) {
                    System.out.println("nothing copied");
                    return 1;
                }
                o = new TableAdoption.Options(from, table, z, true, nullAs, fromUser, password);
            }
        }
        TableAdoption.Report r = TableAdoption.adopt(config, o);
        r.lines().forEach(System.out::println);
        return 0;
    }
}
