package org.experimenter.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.experimenter.ExperimenterException;

/** Turns an aggregated table into the pivot form of {@link Evaluation#pivot}; runs on the driver. */
final class Pivot {
    /** The machine-only column naming the best column(s) of each row. */
    static final String BEST = "best";

    private static final Comparator<Object> VALUES = (a, b) -> {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : -1) : 1;
        }
        if (a instanceof Number && b instanceof Number) {
            return Double.compare(((Number) a).doubleValue(), ((Number) b).doubleValue());
        }
        return String.valueOf(a).compareTo(String.valueOf(b));
    };

    private static final Comparator<List<Object>> KEYS = (a, b) -> {
        for (int i = 0; i < a.size(); i++) {
            int c = VALUES.compare(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    };

    private Pivot() {}

    static ResultTable build(
            ResultTable agg,
            List<String> groups,
            List<String> rows,
            List<String> columns,
            String value,
            Stat center,
            Stat spread,
            boolean lowerIsBetter) {
        return build(agg, groups, rows, columns, value, center, spread, lowerIsBetter, "--rows", "--columns");
    }

    /** As above, the error messages naming the options that gave rows and columns (compare: --datasets, --methods). */
    static ResultTable build(
            ResultTable agg,
            List<String> groups,
            List<String> rows,
            List<String> columns,
            String value,
            Stat center,
            Stat spread,
            boolean lowerIsBetter,
            String rowsOption,
            String columnsOption) {
        for (String g : groups) {
            if (rows.contains(g) || columns.contains(g)) {
                continue;
            }
            Set<Object> distinct = new TreeSet<>(VALUES);
            for (int r = 0; r < agg.size(); r++) {
                distinct.add(agg.get(r, g));
            }
            if (distinct.size() > 1) {
                Object first = distinct.iterator().next();
                throw new ExperimenterException("keyfield " + g + " has " + distinct.size()
                        + " values among the done rows " + preview(distinct)
                        + " but is in neither " + rowsOption + " nor " + columnsOption + ": add it to " + rowsOption
                        + ", " + columnsOption + " or --over,"
                        + " or keep one value with --where \""
                        + g + " = " + (first instanceof String ? "'" + first + "'" : first) + "\"");
            }
        }
        String centerCol = value + "_" + center.key();
        String spreadCol = spread == null ? null : value + "_" + spread.key();
        Map<List<Object>, Map<List<Object>, Object[]>> cells = new TreeMap<>(KEYS);
        Set<List<Object>> colKeys = new TreeSet<>(KEYS);
        for (int r = 0; r < agg.size(); r++) {
            List<Object> rk = key(agg, r, rows);
            List<Object> ck = key(agg, r, columns);
            colKeys.add(ck);
            cells.computeIfAbsent(rk, k -> new LinkedHashMap<>()).put(ck, new Object[] {
                agg.get(r, centerCol), spreadCol == null ? null : agg.get(r, spreadCol)
            });
        }

        List<String> names = new ArrayList<>(rows);
        Map<List<Object>, String> labels = columnLabels(rows, columns, colKeys, spread);
        for (String label : labels.values()) {
            names.add(label);
            if (spreadCol != null) {
                names.add(label + "_" + spread.key());
            }
        }
        names.add(BEST);
        if (new LinkedHashSet<>(names).size() != names.size()) {
            throw new ExperimenterException(columnsOption + " " + String.join(",", columns)
                    + ": the values give the same column name twice: " + names);
        }

        List<List<Object>> out = new ArrayList<>();
        Map<Integer, Set<String>> best = new LinkedHashMap<>();
        for (Map.Entry<List<Object>, Map<List<Object>, Object[]>> e : cells.entrySet()) {
            List<Object> line = new ArrayList<>(e.getKey());
            Double top = null;
            for (List<Object> ck : colKeys) {
                Object[] c = e.getValue().get(ck);
                Object v = c == null ? null : c[0];
                line.add(v);
                if (spreadCol != null) {
                    line.add(c == null ? null : c[1]);
                }
                if (v instanceof Number) {
                    double d = ((Number) v).doubleValue();
                    if (!Double.isNaN(d) && (top == null || (lowerIsBetter ? d < top : d > top))) {
                        top = d;
                    }
                }
            }
            Set<String> marked = new LinkedHashSet<>();
            for (List<Object> ck : colKeys) {
                Object[] c = e.getValue().get(ck);
                if (top != null && c != null && c[0] instanceof Number && ((Number) c[0]).doubleValue() == top) {
                    marked.add(labels.get(ck));
                }
            }
            line.add(marked.isEmpty() ? null : String.join(",", marked));
            best.put(out.size(), marked);
            out.add(line);
        }

        ResultTable t = new ResultTable(
                names,
                out,
                List.of(),
                best,
                Set.of(BEST),
                "* best in its row: the " + (lowerIsBetter ? "lowest " : "highest ") + center.key() + " of " + value);
        if (spreadCol != null) {
            for (String label : labels.values()) {
                t = t.withMerged(label, label + "_" + spread.key(), label);
            }
        }
        return t;
    }

    /**
     * The pivot's column names for the values of the column keyfields, in the order given: a string value as it is,
     * others (and a name taken already) as field=value.
     */
    static Map<List<Object>, String> columnLabels(
            List<String> rows, List<String> columns, Iterable<List<Object>> colKeys, Stat spread) {
        List<String> names = new ArrayList<>(rows);
        Map<List<Object>, String> labels = new LinkedHashMap<>();
        for (List<Object> ck : colKeys) {
            String label = label(columns, ck);
            if (names.contains(label) || label.equals(BEST)) {
                label = label(columns, ck, true);
            }
            labels.put(ck, label);
            names.add(label);
            if (spread != null) {
                names.add(label + "_" + spread.key());
            }
        }
        return labels;
    }

    /** The column keys of a pivot in its order (sorted as its columns are). */
    static Set<List<Object>> sortedKeys() {
        return new TreeSet<>(KEYS);
    }

    private static List<Object> key(ResultTable agg, int row, List<String> fields) {
        List<Object> k = new ArrayList<>();
        for (String f : fields) {
            k.add(agg.get(row, f));
        }
        return k;
    }

    private static String label(List<String> fields, List<Object> key) {
        return label(fields, key, false);
    }

    /** A string value names its column as it is; other values as field=value (a bare "3" says little). */
    private static String label(List<String> fields, List<Object> key, boolean alwaysNamed) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < fields.size(); i++) {
            Object v = key.get(i);
            parts.add(v instanceof String && !alwaysNamed ? (String) v : fields.get(i) + "=" + v);
        }
        return String.join("/", parts);
    }

    private static String preview(Set<Object> values) {
        List<String> s = new ArrayList<>();
        for (Object v : values) {
            if (s.size() == 5) {
                s.add("...");
                break;
            }
            s.add(String.valueOf(v));
        }
        return "(" + String.join(", ", s) + ")";
    }
}
