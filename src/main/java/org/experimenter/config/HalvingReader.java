// Reading and checking the halving section (successive halving over a budget keyfield).
package org.experimenter.config;

import static org.experimenter.config.ConfigReader.at;
import static org.experimenter.config.ConfigReader.typeName;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.experimenter.FieldType;
import org.experimenter.grid.HyperbandPlan;
import org.experimenter.grid.Parameter;

/**
 * Reads {@code halving { field = epochs, min = 1, max = 81, eta = 3, by = [dataset], value =
 * val_loss, lower-is-better = true, mode = sync }}. Each mistake is one line naming file, line
 * and key: a budget that is no numeric keyfield, a value that is no numeric result field, eta
 * below 2, min above max, ...
 */
final class HalvingReader {
    static final String SECTION = "halving";

    private HalvingReader() {}

    /** The settings, or null when the config has no halving section. */
    static HalvingSettings read(Config c, List<Parameter> keyfields, Map<String, FieldType> resultfields) {
        if (!c.hasPath(SECTION)) {
            return null;
        }
        if (c.getValue(SECTION).valueType() != ConfigValueType.OBJECT) {
            throw at(
                    c,
                    SECTION,
                    "expected a section { field = ..., min = ..., ... }, found a " + typeName(c.getValue(SECTION)));
        }
        List<String> keyNames = new ArrayList<>();
        keyfields.forEach(p -> keyNames.add(p.name()));

        String field = string(c, "field", "name the budget keyfield, e.g. field = epochs");
        Parameter budget = keyfields.stream()
                .filter(p -> p.name().equals(field))
                .findFirst()
                .orElse(null);
        if (budget == null) {
            throw at(c, key("field"), field + " is not a keyfield; the keyfields are " + keyNames);
        }
        if (!numeric(budget.type())) {
            throw at(
                    c,
                    key("field"),
                    "keyfield " + field + " is a " + budget.type().configName()
                            + "; the budget must be an int, long or double keyfield");
        }
        if (!budget.values().isEmpty()) {
            throw at(
                    c,
                    "keyfields." + field + ".values",
                    "the budget keyfield of halving has no values of its own:"
                            + " fill starts every configuration at halving.min and promotions add the larger budgets");
        }
        double min = number(c, "min", budget.type());
        double max = number(c, "max", budget.type());
        if (!(min > 0)) {
            throw at(c, key("min"), "must be above 0, found " + HyperbandPlan.number(min));
        }
        if (max < min) {
            throw at(
                    c,
                    key("max"),
                    "must be at least min (" + HyperbandPlan.number(min) + "), found " + HyperbandPlan.number(max));
        }
        int eta = c.hasPath(key("eta")) ? integer(c, "eta") : 3;
        if (eta < 2) {
            throw at(c, key("eta"), "must be at least 2 (each rung keeps 1/eta of the one below), found " + eta);
        }
        List<String> by = by(c, field, keyNames);
        String value = string(c, "value", "name the result field that ranks a rung, e.g. value = val_loss");
        FieldType valueType = resultfields.get(value);
        if (valueType == null) {
            throw at(c, key("value"), value + " is not a result field; the result fields are " + resultfields.keySet());
        }
        if (!numeric(valueType)) {
            throw at(
                    c,
                    key("value"),
                    "result field " + value + " is a " + valueType.configName()
                            + "; a rung is ranked by an int, long or double");
        }
        if (!c.hasPath(key("lower-is-better"))) {
            throw at(
                    c,
                    SECTION,
                    "lower-is-better: missing; true when " + value + " is a loss, false when higher" + " is better");
        }
        boolean lower = bool(c, "lower-is-better");
        HalvingSettings.Mode mode = mode(c);
        HyperbandPlan plan = new HyperbandPlan(min, max, eta);
        try {
            // its brackets' configuration counts (up to (rungs) x eta^(rungs - 1)) must be whole numbers of a long
            plan.brackets();
        } catch (ArithmeticException tooMany) {
            throw at(
                    c,
                    key("max"),
                    (plan.maxRung() + 1) + " rungs from " + HyperbandPlan.number(min) + " to "
                            + HyperbandPlan.number(max) + " by eta " + eta
                            + " are too many: the first bracket's configuration count is beyond a long;"
                            + " give a smaller max or a larger min");
        }
        int brackets = c.hasPath(key("brackets")) ? integer(c, "brackets") : 1;
        if (brackets < 1 || brackets > plan.maxRung() + 1) {
            throw at(
                    c,
                    key("brackets"),
                    "must be from 1 to " + (plan.maxRung() + 1) + " (the rungs from "
                            + HyperbandPlan.number(min) + " to " + HyperbandPlan.number(max) + " by eta " + eta
                            + "), found " + brackets);
        }
        return new HalvingSettings(field, budget.type(), min, max, eta, by, value, lower, mode, brackets);
    }

    private static List<String> by(Config c, String field, List<String> keyNames) {
        List<String> by = new ArrayList<>();
        if (!c.hasPath(key("by"))) {
            return by;
        }
        ConfigValue v = c.getValue(key("by"));
        if (v.valueType() == ConfigValueType.STRING) {
            by.add((String) v.unwrapped());
        } else if (v.valueType() == ConfigValueType.LIST) {
            for (ConfigValue e : c.getList(key("by"))) {
                if (e.valueType() != ConfigValueType.STRING) {
                    throw at(c, key("by"), "expected keyfield names, found " + e.render());
                }
                by.add((String) e.unwrapped());
            }
        } else {
            throw at(c, key("by"), "expected a list of keyfields, found a " + typeName(v));
        }
        for (String k : by) {
            if (!keyNames.contains(k)) {
                throw at(c, key("by"), k + " is not a keyfield; the keyfields are " + keyNames);
            }
            if (k.equals(field)) {
                throw at(c, key("by"), k + " is the budget keyfield (halving.field); rows are grouped by the others");
            }
            if (by.indexOf(k) != by.lastIndexOf(k)) {
                throw at(c, key("by"), k + " is named twice");
            }
        }
        return by;
    }

    private static HalvingSettings.Mode mode(Config c) {
        if (!c.hasPath(key("mode"))) {
            return HalvingSettings.Mode.SYNC;
        }
        String m = string(c, "mode", "").trim().toLowerCase(Locale.ROOT);
        return switch (m) {
            case "sync" -> HalvingSettings.Mode.SYNC;
            case "async" -> HalvingSettings.Mode.ASYNC;
            default -> throw at(c, key("mode"), "expected sync or async, found '" + m + "'");
        };
    }

    private static boolean numeric(FieldType t) {
        return t == FieldType.INT || t == FieldType.LONG || t == FieldType.DOUBLE;
    }

    private static String key(String name) {
        return SECTION + "." + name;
    }

    private static String string(Config c, String name, String hint) {
        if (!c.hasPath(key(name))) {
            throw at(c, SECTION, name + ": missing; " + hint);
        }
        ConfigValue v = c.getValue(key(name));
        if (v.valueType() != ConfigValueType.STRING) {
            throw at(c, key(name), "expected a name, found a " + typeName(v));
        }
        return ((String) v.unwrapped()).trim();
    }

    private static double number(Config c, String name, FieldType budgetType) {
        if (!c.hasPath(key(name))) {
            throw at(
                    c,
                    SECTION,
                    name + ": missing; the budget of the " + (name.equals("min") ? "first" : "last") + " rung, e.g. "
                            + name + " = " + (name.equals("min") ? 1 : 81));
        }
        ConfigValue v = c.getValue(key(name));
        if (v.valueType() != ConfigValueType.NUMBER) {
            throw at(c, key(name), "expected a number, found a " + typeName(v));
        }
        double d = ((Number) v.unwrapped()).doubleValue();
        if (budgetType != FieldType.DOUBLE && d != Math.rint(d)) {
            throw at(
                    c,
                    key(name),
                    "the budget keyfield is a " + budgetType.configName() + ", so " + HyperbandPlan.number(d)
                            + " cannot be a budget");
        }
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw at(c, key(name), "must be a finite number");
        }
        // a budget is written as a value of the keyfield: beyond its type it would wrap (int) or be clipped (long)
        long largest = budgetType == FieldType.INT ? Integer.MAX_VALUE : Long.MAX_VALUE;
        if (budgetType != FieldType.DOUBLE && Math.abs(d) > largest) {
            throw at(
                    c,
                    key(name),
                    "the budget keyfield is a" + (budgetType == FieldType.INT ? "n " : " ") + budgetType.configName()
                            + ", whose largest value is " + largest + ", found " + HyperbandPlan.number(d));
        }
        return d;
    }

    private static int integer(Config c, String name) {
        ConfigValue v = c.getValue(key(name));
        if (v.valueType() != ConfigValueType.NUMBER || !(v.unwrapped() instanceof Integer)) {
            throw at(c, key(name), "expected a whole number, found " + v.render());
        }
        return (Integer) v.unwrapped();
    }

    private static boolean bool(Config c, String name) {
        ConfigValue v = c.getValue(key(name));
        if (v.valueType() != ConfigValueType.BOOLEAN) {
            throw at(c, key(name), "expected true or false, found " + v.render());
        }
        return (Boolean) v.unwrapped();
    }
}
