package org.experimenter.pyexperimenter;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.experimenter.ExperimenterException;
import org.experimenter.Status;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.store.ExperimentStore;
import org.experimenter.store.RowImport;

/**
 * Copies a table that PyExperimenter 1.4.2 filled (and its log tables) into this tool's table
 * of a config: the same ids, keyfields, statuses, results, errors and dates, its local-time
 * date strings read in a stated zone, log rows linked to the same ids. Rows the table already
 * has (same id, same keyfields) are skipped; a row that cannot be read or that conflicts with
 * one here is listed, and then nothing is copied. Everything is copied in one transaction.
 *
 * <p>PyExperimenter leaves the rows of a crashed process {@code running} forever, so running
 * rows are copied only when told to reset them to created ({@link Options#resetRunning}).
 */
public final class TableAdoption {
    /**
     * @param from a SQLite file, or a JDBC URL of MySQL/MariaDB ({@code jdbc:mariadb://host/db})
     * @param table PyExperimenter's table there
     * @param zone the time zone its date strings are local time of (the machines that ran it)
     * @param resetRunning copy running rows as created (else they are refused)
     * @param nullAs the text a NULL string keyfield becomes (its conditional grids leave some
     *     unset), or null to refuse such rows
     * @param user the source's user, or null for the config's user and password
     * @param password the source's password when a user is given
     */
    public record Options(
            String from,
            String table,
            ZoneId zone,
            boolean resetRunning,
            String nullAs,
            String user,
            String password) {}

    /** What was found and done: counts per status before and after, and the lines to print. */
    public record Report(
            Map<Status, Long> source,
            Map<Status, Long> before,
            Map<Status, Long> after,
            int copied,
            int skipped,
            int reset,
            int logRows,
            List<String> lines) {}

    /** Raised when rows cannot be copied; its message lists them. Nothing was copied. */
    public static final class AdoptionException extends ExperimenterException {
        private static final long serialVersionUID = 1L;

        AdoptionException(String message) {
            super(message);
        }
    }

    /** A table name as SQL writes it unquoted; PyExperimenter's are. */
    private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

    private final ExperimentConfig config;
    private final Options o;
    private final ExperimentStore store;
    private final SourceDatabase from;
    private final Problems problems = new Problems();
    private final SourceTable table;

    private TableAdoption(ExperimentConfig config, Options o) {
        if (!TABLE_NAME.matcher(o.table()).matches()) {
            // the name goes into the statements as it is
            throw new ExperimenterException("--table " + o.table() + ": not a table name (letters, digits and _,"
                    + " not starting with a digit, at most 64)");
        }
        this.config = config;
        this.o = o;
        this.store = new ExperimentStore(config);
        this.from = new SourceDatabase(config, o);
        this.table = new SourceTable(config, o, from, store.dialect(), problems);
    }

    public static Report adopt(ExperimentConfig config, Options options) {
        return new TableAdoption(config, options).run();
    }

    /** Rows PyExperimenter left running, so that the caller can ask before adopting. */
    public static long runningRows(ExperimentConfig config, Options options) {
        TableAdoption a = new TableAdoption(config, options);
        try (Connection c = a.from.connect()) {
            return a.table.counts(c).get(Status.RUNNING);
        } catch (SQLException e) {
            throw a.from.failure("cannot read " + a.table.source(), e);
        }
    }

    private Report run() {
        String source = table.source();
        if (from.holdsConfigTable(o.table(), store.dialect())) {
            throw new AdoptionException("the PyExperimenter table " + source + " is the config's own table; give the"
                    + " config another database.table (import-pyexperimenter --table NAME)");
        }
        store.createTableIfMissing();
        List<String> lines = new ArrayList<>();
        List<RowImport.LogRow> logRows = new ArrayList<>();
        List<RowImport.EnergyRow> energyRows;
        Map<Status, Long> sourceCounts;
        ExistingRows.Checked checked;
        try (Connection c = from.connect()) {
            sourceCounts = table.counts(c);
            lines.add("PyExperimenter table " + source + ": " + CountedCopy.total(sourceCounts) + " rows: "
                    + CountedCopy.format(sourceCounts));
            if (sourceCounts.get(Status.RUNNING) > 0 && !o.resetRunning()) {
                throw new AdoptionException(sourceCounts.get(Status.RUNNING) + " rows of " + source + " are running:"
                        + " PyExperimenter leaves the rows of a crashed run running forever. Give --reset-running to"
                        + " copy them as created (to run again); nothing was copied");
            }
            Map<Long, List<Object>> existing = store.rowImport().existingKeys();
            checked = ExistingRows.check(table.rows(c, lines), existing, table.resetIds(), problems);
            for (String l : config.logtables().keySet()) {
                logRows.addAll(table.logRows(c, l, checked.attemptOf(), lines));
            }
            energyRows = CodeCarbonTable.read(c, config, o.table(), from, checked.attemptOf(), lines);
        } catch (SQLException e) {
            throw from.failure("cannot read " + source, e);
        }
        problems.throwIfAny(source, config.table());
        CountedCopy.Counts counts = new CountedCopy(config, store, source)
                .write(sourceCounts, checked, logRows, energyRows, o.zone().toString(), lines);
        return new Report(
                sourceCounts,
                counts.before(),
                counts.after(),
                counts.copied(),
                checked.skipped(),
                checked.reset(),
                logRows.size(),
                lines);
    }
}
