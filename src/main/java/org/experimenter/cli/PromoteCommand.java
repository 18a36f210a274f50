package org.experimenter.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.experimenter.Experimenter;
import org.experimenter.ExperimenterException;
import org.experimenter.FieldType;
import org.experimenter.grid.Parameter;
import org.experimenter.store.Promotions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code experimenter promote}: the best configurations of a stage get rows with new values of one keyfield. */
@Command(
        name = "promote",
        description = "A follow-up stage: per group of --by, the --top configurations with the best mean of --value"
                + " over their done rows get new rows with the values of --set (e.g. 20 more seeds).")
final class PromoteCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(
            names = "--by",
            split = ",",
            description = "Keyfields whose values make the groups, e.g. dataset (default: one group of all).")
    List<String> by = new ArrayList<>();

    @Option(names = "--top", required = true, description = "How many configurations of each group to promote.")
    int top;

    @Option(names = "--value", required = true, description = "The numeric result field ranked by its mean.")
    String value;

    @Option(names = "--lower-is-better", description = "Rank the lowest mean first (default: the highest).")
    boolean lowerIsBetter;

    @Mixin
    WhereOption condition;

    @Option(
            names = "--stage",
            paramLabel = "<n>",
            defaultValue = "1",
            description = "The stage whose rows are ranked (default: 1, the grid); the new rows get the next one.")
    int stage;

    @Option(
            names = "--set",
            required = true,
            paramLabel = "<keyfield>=<values>",
            description = "The keyfield the new rows take new values of, and the values: a range with both ends"
                    + " included, a list, or both, e.g. seed=5..24 or seed=5,6,7.")
    String set;

    @Option(names = "--dry-run", description = "Print what would be added and add nothing.")
    boolean dryRun;

    @Override
    public Integer call() {
        Experimenter ex = common.experimenter();
        int eq = set.indexOf('=');
        if (eq <= 0) {
            throw new ExperimenterException("--set " + set + ": expected <keyfield>=<values>, e.g. seed=5..24");
        }
        String field = set.substring(0, eq).trim();
        Parameter p = ex.config().keyfield(field);
        if (p == null) {
            throw new ExperimenterException("--set " + field + ": no such keyfield; the keyfields are "
                    + ex.config().keyfieldNames());
        }
        List<Object> values = values(p, set.substring(eq + 1));
        Experimenter.Promoted result =
                ex.promote(by, top, value, lowerIsBetter, condition.where, stage, field, values, dryRun);
        print(result, field, set.substring(eq + 1).trim(), values.size());
        return 0;
    }

    private void print(Experimenter.Promoted result, String field, String valuesText, int perConfiguration) {
        Promotions.Plan plan = result.plan();
        if (plan.chosen().isEmpty()) {
            throw new ExperimenterException("nothing to promote: no done row of stage " + stage
                    + (condition.where == null ? "" : " matching --where \"" + condition.where + "\"")
                    + " has a value of " + value + (plan.notDone() > 0 ? " (" + plan.notDone() + " not done)" : ""));
        }
        String groups = by.isEmpty() ? "of all" : "per " + String.join(", ", by);
        System.out.println("stage " + stage + ", done rows: the best " + top + " " + groups + " by mean " + value
                + (lowerIsBetter ? " (lowest first)" : " (highest first)"));
        for (Promotions.Chosen c : plan.chosen()) {
            System.out.println("  " + Promotions.describe(c.configuration()) + ": mean "
                    + String.format(Locale.ROOT, "%.4f", c.mean()) + " over " + c.rows() + " rows (rank " + c.rank()
                    + ", parent row " + c.parentId() + ")");
        }
        if (plan.notDone() > 0) {
            System.out.println("note: " + plan.notDone() + " rows of stage " + stage
                    + " in scope are not done and are not ranked");
        }
        long planned = plan.rows().size();
        String what = plan.chosen().size() + " configurations x " + perConfiguration + " values of " + field + " ("
                + valuesText + ") at stage " + plan.stage();
        if (dryRun) {
            System.out.println("dry run: would add " + planned + " rows: " + what
                    + (plan.alreadyThere() > 0 ? "; " + plan.alreadyThere() + " are in the table already" : ""));
            return;
        }
        if (planned == 0) {
            System.out.println("added nothing: the " + plan.alreadyThere() + " rows of " + what
                    + " are in the table already (promote again adds nothing)");
            return;
        }
        System.out.println("added " + result.added() + " rows: " + what
                + (plan.alreadyThere() > 0 ? "; " + plan.alreadyThere() + " were in the table already" : "")
                + (result.added() < planned
                        ? "; " + (planned - result.added()) + " were added meanwhile by another" + " process"
                        : ""));
    }

    /** "5..24", "5,6,7", "0..2,10": ranges include both ends; each value parsed as the keyfield's type. */
    static List<Object> values(Parameter p, String text) {
        java.util.Set<Object> out = new java.util.LinkedHashSet<>();
        for (String part : text.split(",")) {
            String s = part.trim();
            if (s.isEmpty()) {
                continue;
            }
            int dots = s.indexOf("..", 1);
            if (dots > 0 && (p.type() == FieldType.INT || p.type() == FieldType.LONG)) {
                long from = whole(p, s.substring(0, dots));
                long to = whole(p, s.substring(dots + 2));
                // the length without overflow (MIN..MAX), and a count, not v <= to (which never ends at MAX)
                if (to < from || to - from < 0 || to - from >= 1_000_000) {
                    throw new ExperimenterException("--set " + p.name() + "=" + s
                            + ": a range goes up from its first value to its last, at most 1,000,000 values");
                }
                for (long i = 0; i <= to - from; i++) {
                    long v = from + i;
                    out.add(p.type() == FieldType.INT ? (Object) (int) v : (Object) v);
                }
            } else {
                try {
                    out.add(p.type().parse(s));
                } catch (IllegalArgumentException e) {
                    throw new ExperimenterException("--set " + p.name() + "=" + s + ": " + e.getMessage());
                }
            }
        }
        if (out.isEmpty()) {
            throw new ExperimenterException("--set " + p.name() + "=: give the values, e.g. " + p.name() + "=5..24");
        }
        return new ArrayList<>(out);
    }

    private static long whole(Parameter p, String s) {
        try {
            return ((Number) p.type().parse(s.trim())).longValue();
        } catch (IllegalArgumentException e) {
            throw new ExperimenterException("--set " + p.name() + ": " + e.getMessage());
        }
    }
}
