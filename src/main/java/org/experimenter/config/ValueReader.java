// The values of one keyfield: a list checked against the field's type, or a range
// { start, stop, step } expanded exactly (decimal arithmetic, so 0.1 steps do not drift).
package org.experimenter.config;

import static org.experimenter.config.ConfigReader.at;
import static org.experimenter.config.ConfigReader.typeName;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.experimenter.FieldType;
import org.experimenter.InvalidConfigException;

/** Reads {@code keyfields.<name>.values}; every error names the file, line and key. */
final class ValueReader {
    private static final Set<String> RANGE_KEYS = Set.of("start", "stop", "step");

    private ValueReader() {}

    static List<Object> values(Config c, String path, FieldType type) {
        ConfigValue v = c.getValue(path);
        List<Object> out = new ArrayList<>();
        if (v.valueType() == ConfigValueType.LIST) {
            List<? extends ConfigValue> list = c.getList(path);
            if (list.isEmpty()) {
                throw at(c, path, "empty value list; give at least one value");
            }
            for (int i = 0; i < list.size(); i++) {
                out.add(listValue(path, i, list.get(i), type));
            }
        } else if (v.valueType() == ConfigValueType.OBJECT) {
            out.addAll(range(c, path, type));
        } else {
            throw at(c, path, "expected a list or a range { start, stop, step }, found " + typeName(v));
        }
        Set<Object> distinct = new HashSet<>();
        for (Object o : out) {
            if (!distinct.add(o)) {
                throw at(c, path, "value " + o + " appears twice");
            }
        }
        return out;
    }

    private static Object listValue(String path, int i, ConfigValue item, FieldType type) {
        Object raw = item.unwrapped();
        String where = item.origin().description() + ": " + path + "[" + i + "]: ";
        try {
            switch (type) {
                case STRING:
                    if (item.valueType() == ConfigValueType.STRING
                            || item.valueType() == ConfigValueType.NUMBER
                            || item.valueType() == ConfigValueType.BOOLEAN) {
                        return String.valueOf(raw);
                    }
                    break;
                case DOUBLE:
                    if (item.valueType() == ConfigValueType.NUMBER) {
                        return ((Number) raw).doubleValue();
                    }
                    break;
                case INT:
                case LONG:
                case BOOLEAN:
                    if (item.valueType() == ConfigValueType.NUMBER || item.valueType() == ConfigValueType.BOOLEAN) {
                        return type.coerce(raw);
                    }
                    break;
                default:
                    break;
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(where + e.getMessage());
        }
        throw new InvalidConfigException(
                where + "expected " + type.configName() + ", found " + typeName(item) + " " + item.render());
    }

    private static List<Object> range(Config c, String path, FieldType type) {
        Config r = c.getConfig(path);
        for (String key : r.root().keySet()) {
            if (!RANGE_KEYS.contains(key)) {
                throw at(c, path + "." + key, "unknown range key; a range has start, stop and step");
            }
        }
        if (!r.hasPath("start") || !r.hasPath("stop")) {
            throw at(c, path, "a range needs start and stop (stop is excluded); step defaults to 1");
        }
        if (type != FieldType.INT && type != FieldType.LONG && type != FieldType.DOUBLE) {
            throw at(c, path, "a range only makes sense for int, long or double, not " + type.configName());
        }
        BigDecimal start = decimal(c, path + ".start");
        BigDecimal stop = decimal(c, path + ".stop");
        BigDecimal step = r.hasPath("step") ? decimal(c, path + ".step") : BigDecimal.ONE;
        if (step.signum() == 0) {
            throw at(c, path + ".step", "step 0 never reaches stop");
        }
        if (type != FieldType.DOUBLE && (fractional(start) || fractional(stop) || fractional(step))) {
            throw at(
                    c,
                    path,
                    "a range of " + type.configName()
                            + " needs whole numbers; declare the field as double for fractional steps");
        }
        int cmp = stop.compareTo(start);
        if (cmp == 0) {
            throw at(c, path, "empty range: start equals stop (stop is excluded)");
        }
        if (cmp != step.signum()) {
            throw at(c, path, "range from " + start + " by " + step + " never reaches stop " + stop);
        }
        BigDecimal count = stop.subtract(start).divide(step, 0, RoundingMode.CEILING);
        if (count.compareTo(BigDecimal.valueOf(10_000_000)) > 0) {
            throw at(c, path, "range has " + count + " values; at most 10,000,000 per keyfield");
        }
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < count.intValue(); i++) {
            BigDecimal v = start.add(step.multiply(BigDecimal.valueOf(i)));
            if (type == FieldType.DOUBLE) {
                out.add(v.doubleValue());
            } else if (type == FieldType.INT) {
                out.add(Math.toIntExact(v.longValueExact()));
            } else {
                out.add(v.longValueExact());
            }
        }
        return out;
    }

    private static boolean fractional(BigDecimal d) {
        return d.stripTrailingZeros().scale() > 0;
    }

    private static BigDecimal decimal(Config c, String path) {
        ConfigValue v = c.getValue(path);
        if (v.valueType() != ConfigValueType.NUMBER) {
            throw at(c, path, "expected a number, found " + typeName(v));
        }
        // render() keeps the literal as written, so 0.1 stays exactly 0.1
        return new BigDecimal(v.render().trim());
    }
}
