package org.experimenter.eval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A small table of results collected on the driver, ready to be formatted by {@link
 * TableFormat}. Besides its columns and rows it may say how people should read it:
 *
 * <ul>
 *   <li>merged columns: a center and a spread column (e.g. {@code accuracy_mean} and {@code
 *       accuracy_std}) shown as one cell {@code mean ± std} in the console, Markdown and LaTeX;
 *   <li>best cells, shown bold in Markdown and LaTeX and with a star in the console;
 *   <li>machine-only columns (e.g. {@code best}), written to CSV, JSON and Parquet only.
 * </ul>
 */
public final class ResultTable {
    /** A center column shown together with its spread column under one label. */
    static final class Merge {
        final String center;
        final String spread;
        final String label;

        Merge(String center, String spread, String label) {
            this.center = center;
            this.spread = spread;
            this.label = label;
        }
    }

    private final List<String> columns;
    private final List<List<Object>> rows;
    private final List<Merge> merges;
    private final Map<Integer, Set<String>> best;
    private final Set<String> machineOnly;
    private final String footnote;
    private final Marks marks;

    /**
     * Cells marked by a significance test ({@code eval --test}): underlined in LaTeX, a dagger in
     * the console and Markdown; the legend says what the mark means and how the tests were done.
     *
     * @param cells per row index, the shown columns marked
     * @param meaning what a marked cell is, e.g. "not significantly worse than the row's best ..."
     * @param notes further legend lines: pairs per test, dropped seeds, limits of the test
     */
    record Marks(Map<Integer, Set<String>> cells, String meaning, List<String> notes) {
        static final Marks NONE = new Marks(Map.of(), null, List.of());

        Marks {
            cells = Collections.unmodifiableMap(new LinkedHashMap<>(cells));
            notes = List.copyOf(notes);
        }
    }

    /** A plain table: column names and rows of values (Integer, Long, Double, String, ...; null for none). */
    public ResultTable(List<String> columns, List<List<Object>> rows) {
        this(columns, rows, List.of(), Map.of(), Set.of(), null);
    }

    ResultTable(
            List<String> columns,
            List<List<Object>> rows,
            List<Merge> merges,
            Map<Integer, Set<String>> best,
            Set<String> machineOnly,
            String footnote) {
        this(columns, rows, merges, best, machineOnly, footnote, Marks.NONE);
    }

    ResultTable(
            List<String> columns,
            List<List<Object>> rows,
            List<Merge> merges,
            Map<Integer, Set<String>> best,
            Set<String> machineOnly,
            String footnote,
            Marks marks) {
        this.columns = List.copyOf(columns);
        List<List<Object>> copy = new ArrayList<>();
        for (List<Object> r : rows) {
            if (r.size() != columns.size()) {
                throw new IllegalArgumentException(
                        "row of " + r.size() + " values for " + columns.size() + " columns " + columns);
            }
            copy.add(Collections.unmodifiableList(new ArrayList<>(r)));
        }
        this.rows = Collections.unmodifiableList(copy);
        this.merges = List.copyOf(merges);
        this.best = Collections.unmodifiableMap(new LinkedHashMap<>(best));
        this.machineOnly = Collections.unmodifiableSet(new LinkedHashSet<>(machineOnly));
        this.footnote = footnote;
        this.marks = marks;
    }

    /** Collects a Spark result; meant for aggregated, small results. */
    public static ResultTable of(Dataset<Row> df) {
        List<String> cols = List.of(df.columns());
        List<List<Object>> rows = new ArrayList<>();
        for (Row r : df.collectAsList()) {
            List<Object> row = new ArrayList<>(cols.size());
            for (int i = 0; i < cols.size(); i++) {
                row.add(r.isNullAt(i) ? null : r.get(i));
            }
            rows.add(row);
        }
        return new ResultTable(cols, rows);
    }

    /** This table with the center and spread columns shown as one cell {@code center ± spread} under label. */
    ResultTable withMerged(String center, String spread, String label) {
        indexOf(center);
        indexOf(spread);
        List<Merge> m = new ArrayList<>(merges);
        m.add(new Merge(center, spread, label));
        return new ResultTable(columns, rows, m, best, machineOnly, footnote, marks);
    }

    /**
     * This table with more machine-only columns (one value per row each) and cells marked by a
     * test; the columns go last.
     */
    ResultTable withMarks(List<String> extraColumns, List<List<Object>> extraValues, Marks m) {
        List<String> names = new ArrayList<>(columns);
        names.addAll(extraColumns);
        if (new LinkedHashSet<>(names).size() != names.size()) {
            throw new org.experimenter.ExperimenterException(
                    "the columns of the test results would repeat a name: " + names);
        }
        List<List<Object>> out = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
            List<Object> line = new ArrayList<>(rows.get(r));
            line.addAll(extraValues.get(r));
            out.add(line);
        }
        Set<String> machine = new LinkedHashSet<>(machineOnly);
        machine.addAll(extraColumns);
        return new ResultTable(names, out, merges, best, machine, footnote, m);
    }

    public List<String> columns() {
        return columns;
    }

    public List<List<Object>> rows() {
        return rows;
    }

    /** The number of rows. */
    public int size() {
        return rows.size();
    }

    public Object get(int row, String column) {
        return rows.get(row).get(indexOf(column));
    }

    /** Whether a cell is marked best (bold in Markdown and LaTeX). */
    public boolean isBest(int row, String column) {
        return best.getOrDefault(row, Set.of()).contains(column);
    }

    /**
     * Whether a cell is marked by a significance test ({@code eval --test}): not significantly
     * worse than its row's best or the control.
     */
    public boolean isMarked(int row, String column) {
        return marks.cells().getOrDefault(row, Set.of()).contains(column);
    }

    /** What a marked cell means; null when no cell was tested. */
    public String markMeaning() {
        return marks.meaning();
    }

    /** The legend lines under a tested table beyond {@link #markMeaning}: pairs, dropped seeds, limits. */
    public List<String> markNotes() {
        return marks.notes();
    }

    int indexOf(String column) {
        int i = columns.indexOf(column);
        if (i < 0) {
            throw new IllegalArgumentException("no column " + column + " in " + columns);
        }
        return i;
    }

    List<Merge> merges() {
        return merges;
    }

    Set<String> machineOnly() {
        return machineOnly;
    }

    /** A line printed under the table in the console, e.g. what the star means; null for none. */
    String footnote() {
        return footnote;
    }
}
