package org.experimenter.eval;

import java.util.ArrayList;
import java.util.List;
import org.experimenter.ExperimenterException;
import org.experimenter.eval.stats.MethodComparison;

/**
 * The {@code compare} computation shared by the command and the web view: the mean of a result field over {@link
 * Evaluation#over} per data set and method (Spark SQL), then {@link MethodComparison} on the driver.
 */
public final class Comparisons {
    private Comparisons() {}

    /**
     * @param control a method's name ({@code 3} finds the column {@code k=3} of a number-valued keyfield), or null
     * @throws ExperimenterException on an unknown field or control, fewer than two methods or data sets
     */
    public static MethodComparison of(
            Evaluation e,
            String datasets,
            String methods,
            String value,
            boolean lowerIsBetter,
            String control,
            double alpha) {
        if (!(alpha > 0 && alpha < 1)) {
            throw new ExperimenterException("--alpha " + alpha + ": expected a level between 0 and 1, e.g. 0.05");
        }
        ResultTable means = e.meansByDatasetAndMethod(datasets, methods, value, lowerIsBetter);
        // the pivot's columns: the data set, one per method, then the machine-only "best"
        List<String> names = means.columns().subList(1, means.columns().size() - 1);
        // a number-valued keyfield names its columns k=3 (as eval's pivot does); --control 3 means that one
        int controlIndex = control == null
                ? -1
                : names.contains(control) ? names.indexOf(control) : names.indexOf(methods + "=" + control);
        if (control != null && controlIndex < 0) {
            throw new ExperimenterException(
                    "--control " + control + ": no such value of " + methods + "; the methods are " + names);
        }
        if (names.size() < 2) {
            throw new ExperimenterException(
                    "--methods " + methods + ": " + names.size() + " method " + names + "; a comparison needs two");
        }
        String tooLarge = MethodComparison.sizeProblem(names.size(), means.size());
        if (tooLarge != null) {
            throw new ExperimenterException("--methods " + methods + ": " + tooLarge);
        }
        List<String> sets = new ArrayList<>();
        double[][] x = new double[means.size()][names.size()];
        for (int r = 0; r < means.size(); r++) {
            sets.add(String.valueOf(means.get(r, datasets)));
            for (int j = 0; j < names.size(); j++) {
                Object v = means.get(r, names.get(j));
                x[r][j] = v instanceof Number ? ((Number) v).doubleValue() : Double.NaN;
            }
        }
        try {
            return MethodComparison.of(sets, names, x, alpha, lowerIsBetter, controlIndex);
        } catch (IllegalArgumentException tooFew) {
            throw new ExperimenterException("--datasets " + datasets + ": " + tooFew.getMessage());
        }
    }

    /** The heading's description of what was compared, e.g. "mean score over seed, higher is better". */
    public static String what(Evaluation e, String value, boolean lowerIsBetter) {
        return "mean " + value + (e.overFields().isEmpty() ? "" : " over " + String.join(",", e.overFields())) + ", "
                + (lowerIsBetter ? "lower" : "higher") + " is better";
    }
}
