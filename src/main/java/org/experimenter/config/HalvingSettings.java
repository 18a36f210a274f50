// The value of the halving section: successive halving (synchronous or ASHA) over a budget keyfield.
package org.experimenter.config;

import java.io.Serializable;
import java.util.List;
import org.experimenter.FieldType;
import org.experimenter.grid.HyperbandPlan;

/**
 * How rows grow from their results: every configuration starts at budget {@code min} of keyfield
 * {@code field}; within each group of the {@code by} keyfields, the best {@code 1/eta} of a
 * rung (by result field {@code value}) get a new row at budget x eta, up to {@code max}.
 *
 * @param field the budget keyfield (int, long or double)
 * @param fieldType its type
 * @param min the budget of the first rung
 * @param max no rung goes beyond it; the rungs are {@code min x eta^k <= max}
 * @param eta the reduction factor, at least 2
 * @param by keyfields whose rows are compared only among themselves (e.g. the data set)
 * @param value the result field that ranks a rung
 * @param lowerIsBetter whether lower values of {@code value} are better (a loss)
 * @param mode {@code SYNC}: a rung is cut when it is complete; {@code ASYNC}: promotions as results come (ASHA)
 * @param brackets how many Hyperband brackets (1: successive halving alone)
 */
public record HalvingSettings(
        String field,
        FieldType fieldType,
        double min,
        double max,
        int eta,
        List<String> by,
        String value,
        boolean lowerIsBetter,
        Mode mode,
        int brackets)
        implements Serializable {

    /** When promotions happen. */
    public enum Mode {
        SYNC,
        ASYNC
    }

    public HalvingSettings {
        by = List.copyOf(by);
    }

    /** The rungs and Hyperband brackets of these settings. */
    public HyperbandPlan plan() {
        return new HyperbandPlan(min, max, eta);
    }

    /**
     * The brackets a run executes: Hyperband's first {@code brackets}, s = s_max down (one:
     * successive halving from {@code min} over the whole grid).
     */
    public List<HyperbandPlan.Bracket> runBrackets() {
        return plan().brackets().subList(0, brackets);
    }

    /** The budget of rung k as a value of the budget keyfield (an Integer, Long or Double). */
    public Object budgetValue(int k) {
        double b = plan().budget(k);
        return switch (fieldType) {
            case INT -> (int) Math.round(b);
            case LONG -> Math.round(b);
            default -> b;
        };
    }
}
