package org.experimenter.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.experimenter.ExperimenterException;

/**
 * A statistic of a result field over the rows of one group. Each becomes a column named
 * {@code <field>_<key>}, e.g. {@code accuracy_mean}.
 */
public enum Stat {
    /** The arithmetic mean. */
    MEAN("mean"),
    /** The sample standard deviation (n - 1 in the denominator); empty for a single row. */
    STD("std"),
    /** The standard error of the mean, std / sqrt(count). */
    SE("se"),
    /**
     * Half the width of the 95% confidence interval of the mean from Student's t distribution,
     * t(0.975, count - 1) * std / sqrt(count): the interval is mean +- ci95.
     */
    CI95("ci95"),
    /** The number of rows with a value. */
    COUNT("count"),
    /** The smallest value. */
    MIN("min"),
    /** The exact median (the mean of the two middle values for an even count). */
    MEDIAN("median"),
    /** The largest value. */
    MAX("max"),
    /** The sum, e.g. of energy_kwh: what a group of rows cost. */
    SUM("sum");

    /** The statistics an evaluation computes unless told otherwise. */
    public static final List<Stat> DEFAULT = List.of(MEAN, STD, COUNT);

    private final String key;

    Stat(String key) {
        this.key = key;
    }

    /** The name used on the command line and in column names: {@code mean}, {@code ci95}, ... */
    public String key() {
        return key;
    }

    /** Whether this statistic measures spread around a center (std, se, ci95). */
    public boolean isSpread() {
        return this == STD || this == SE || this == CI95;
    }

    /** The Spark SQL expression computing this statistic of a column. */
    String sql(String field) {
        switch (this) {
            case MEAN:
                return "avg(" + field + ")";
            case STD:
                return "stddev_samp(" + field + ")";
            case SE:
                return "stddev_samp(" + field + ") / sqrt(count(" + field + "))";
            case CI95:
                return StudentT.UDF_NAME + "(count(" + field + ")) * stddev_samp(" + field + ") / sqrt(count(" + field
                        + "))";
            case COUNT:
                return "count(" + field + ")";
            case MIN:
                return "min(" + field + ")";
            case MEDIAN:
                return "median(" + field + ")";
            case MAX:
                return "max(" + field + ")";
            case SUM:
                return "sum(" + field + ")";
            default:
                throw new IllegalStateException("statistic " + this + " has no SQL; this is a bug");
        }
    }

    /** Parses one name, e.g. {@code mean}; the message of the error lists every name. */
    public static Stat parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (Stat s : values()) {
            if (s.key.equals(n)) {
                return s;
            }
        }
        throw new ExperimenterException("--stats " + name + ": unknown statistic; choose from " + names() + " or all");
    }

    /** Parses names such as {@code [mean, std]}; {@code all} stands for every statistic. */
    public static List<Stat> parse(List<String> names) {
        List<Stat> out = new ArrayList<>();
        for (String n : names) {
            if (n.trim().equalsIgnoreCase("all")) {
                for (Stat s : values()) {
                    if (!out.contains(s)) {
                        out.add(s);
                    }
                }
                continue;
            }
            Stat s = parse(n);
            if (!out.contains(s)) {
                out.add(s);
            }
        }
        if (out.isEmpty()) {
            throw new ExperimenterException("--stats: name at least one statistic of " + names());
        }
        return out;
    }

    static String names() {
        List<String> n = new ArrayList<>();
        for (Stat s : values()) {
            n.add(s.key);
        }
        return String.join(", ", n);
    }
}
