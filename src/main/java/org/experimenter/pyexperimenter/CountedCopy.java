package org.experimenter.pyexperimenter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.experimenter.ExperimenterException;
import org.experimenter.Status;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.store.ExperimentStore;
import org.experimenter.store.RowImport;

/**
 * Writes the checked rows into the config's table in one transaction, counting by status before
 * and after, and checks that the counts agree with the source's.
 */
final class CountedCopy {
    /** The counts here before and after, and how many rows were copied. */
    record Counts(Map<Status, Long> before, Map<Status, Long> after, int copied) {}

    private final ExperimentConfig config;
    private final ExperimentStore store;
    private final String source;

    CountedCopy(ExperimentConfig config, ExperimentStore store, String source) {
        this.config = config;
        this.store = store;
        this.source = source;
    }

    Counts write(
            Map<Status, Long> sourceCounts,
            ExistingRows.Checked checked,
            List<RowImport.LogRow> logRows,
            List<RowImport.EnergyRow> energyRows,
            String zone,
            List<String> lines) {
        int skipped = checked.skipped();
        int reset = checked.reset();
        Map<Status, Long> before = store.counts();
        lines.add("table " + config.table() + " before: " + format(before));
        int copied = store.rowImport().insert(checked.rows(), logRows, energyRows);
        Map<Status, Long> after = store.counts();
        lines.add("copied " + copied + " rows" + (reset > 0 ? " (" + reset + " running reset to created)" : "")
                + ", skipped " + skipped + " already here, " + logRows.size() + " log rows; dates read as local time"
                + " in " + zone);
        lines.add("table " + config.table() + " after: " + format(after));
        checkAgreement(sourceCounts, before, after, skipped);
        lines.add("counts agree: every row of " + source + " is in " + config.table()
                + (reset > 0 ? ", its running rows as created" : ""));
        return new Counts(before, after, copied);
    }

    /**
     * After = before + the source's rows not skipped, by status (running ones as created). Rows
     * skipped were already here with their status then; they count in before. Anything else
     * means a row was lost or doubled: a bug.
     */
    private void checkAgreement(
            Map<Status, Long> sourceCounts, Map<Status, Long> before, Map<Status, Long> after, int skipped) {
        long expectedTotal = total(before) + total(sourceCounts) - skipped;
        if (total(after) != expectedTotal || after.get(Status.RUNNING) > before.get(Status.RUNNING)) {
            throw new ExperimenterException("after copying " + source + " the table " + config.table() + " has "
                    + total(after) + " rows (" + format(after) + "), expected " + expectedTotal + "; this is a bug");
        }
        if (skipped == 0) {
            for (Status s : Status.values()) {
                long want = before.get(s)
                        + (s == Status.CREATED
                                ? sourceCounts.get(s) + sourceCounts.get(Status.RUNNING)
                                : s == Status.RUNNING ? 0 : sourceCounts.get(s));
                if (after.get(s) != want) {
                    throw new ExperimenterException("after copying " + source + " the table " + config.table() + " has "
                            + after.get(s) + " " + s.dbName() + " rows, expected " + want + "; this is a bug");
                }
            }
        }
    }

    static long total(Map<Status, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Counts as messages print them: {@code created 3, running 0, ...}. */
    static String format(Map<Status, Long> counts) {
        List<String> parts = new ArrayList<>();
        counts.forEach((s, n) -> parts.add(s.dbName() + " " + n));
        return String.join(", ", parts);
    }
}
