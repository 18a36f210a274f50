package org.experimenter.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.experimenter.ExperimenterException;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.config.HalvingSettings;
import org.experimenter.grid.HyperbandPlan;

/**
 * The rung tables and survivors' paths of a halving run ({@code eval --rung}, the web view's
 * rungs page). A configuration is a row's keyfields without the budget and without {@code seed}
 * (its value at a rung is the mean over its seeds' rows there); within each rung of each group
 * of the {@code by} keyfields (and each Hyperband bracket) the configurations are ranked by that
 * value, best first, ties by the lower id, and marked: {@code promoted} or {@code stopped} once
 * the rung was cut, {@code running}, {@code error} (failed, before the cut), {@code done} (on
 * the last rung, where nothing is cut), or {@code open} (created, paused, or done and waiting
 * for the cut). A configuration whose seeds' rows differ shows each mark once, e.g.
 * {@code promoted, stopped}.
 *
 * <p>A survivor is a configuration at the highest rung its group and bracket reached so far; its
 * path is its value at each rung it passed, found by following {@code parent_id} from its rows
 * there (the mean over the rows found at each rung).
 */
public final class Rungs {
    /** One row of the table as the rungs see it. */
    public record Item(
            long id, Long parentId, String status, String halving, Integer bracket, Object[] keys, Double value) {}

    private final ExperimentConfig config;
    private final HalvingSettings settings;
    private final HyperbandPlan plan;
    private final List<String> keyNames;
    private final List<Integer> configAt = new ArrayList<>();
    private final int budgetAt;
    private final boolean brackets;
    private final boolean seeds;

    private Rungs(ExperimentConfig config) {
        this.config = config;
        this.settings = config.halving();
        if (settings == null) {
            throw new ExperimenterException(
                    config.origin() + ": --rung needs a halving section; this config has none (see docs/halving.md)");
        }
        this.plan = settings.plan();
        this.keyNames = config.keyfieldNames();
        this.budgetAt = keyNames.indexOf(settings.field());
        this.seeds = keyNames.contains("seed") && !settings.field().equals("seed");
        this.brackets = settings.brackets() > 1;
        // the by keyfields first, then the others in config order
        for (String b : settings.by()) {
            configAt.add(keyNames.indexOf(b));
        }
        for (int i = 0; i < keyNames.size(); i++) {
            String n = keyNames.get(i);
            if (i != budgetAt && !(seeds && n.equals("seed")) && !settings.by().contains(n)) {
                configAt.add(i);
            }
        }
    }

    /** Checks that the config has a halving section; the one line that refuses it otherwise. */
    public static Rungs of(ExperimentConfig config) {
        return new Rungs(config);
    }

    /** The two tables of the rows an evaluation selects ({@code --where}, {@code --stage}). */
    public Tables read(Evaluation e) {
        List<String> cols =
                new ArrayList<>(List.of("id", "parent_id", "status", "halving", "bracket", settings.value()));
        cols.addAll(keyNames);
        List<Item> items = new ArrayList<>();
        for (Row r : e.rowsOf(cols)) {
            Object[] keys = new Object[keyNames.size()];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = r.get(6 + i);
            }
            Object v = r.get(5);
            items.add(new Item(
                    ((Number) r.get(0)).longValue(),
                    r.isNullAt(1) ? null : ((Number) r.get(1)).longValue(),
                    r.getString(2),
                    r.isNullAt(3) ? null : r.getString(3),
                    r.isNullAt(4) ? null : ((Number) r.get(4)).intValue(),
                    keys,
                    v == null ? null : ((Number) v).doubleValue()));
        }
        if (items.isEmpty()) {
            throw new ExperimenterException("--rung: no rows of " + config.table() + " match");
        }
        return tables(items);
    }

    /** The rung table and the paths table. */
    public record Tables(ResultTable rungs, ResultTable paths) {}

    /**
     * Both tables for people (console, Markdown, LaTeX), each under a heading line: the rung
     * table, then the survivors' paths.
     */
    public String text(Tables t, TableFormat format, int precision) {
        String prefix = switch (format) {
            case LATEX -> "% ";
            default -> "";
        };
        String what = settings.value() + ", " + (settings.lowerIsBetter() ? "lower" : "higher") + " is better";
        return prefix + "rungs of " + settings.field() + " (" + what + (seeds ? "; the mean over seeds" : "") + "):\n\n"
                + format.render(t.rungs(), precision) + "\n" + prefix + "survivors' paths (" + settings.value()
                + " at each rung passed, following parent_id):\n\n" + format.render(t.paths(), precision);
    }

    private record Cell(Integer bracket, int k, List<Object> configuration) {}

    /** A configuration at one rung: its rows there. */
    private static final class Entry {
        final Cell cell;
        final List<Item> rows = new ArrayList<>();
        Double value;
        Integer rank;

        Entry(Cell cell) {
            this.cell = cell;
        }

        long firstId() {
            return rows.get(0).id();
        }
    }

    /** Computes both tables from the rows (ids ascending). */
    public Tables tables(List<Item> items) {
        Map<Cell, Entry> entries = new LinkedHashMap<>();
        Map<Long, Item> byId = new HashMap<>();
        Map<Long, Integer> rungOfId = new HashMap<>();
        for (Item it : items) {
            byId.put(it.id(), it);
            int k = plan.rungOf(((Number) it.keys()[budgetAt]).doubleValue());
            if (k < 0) {
                continue;
            }
            rungOfId.put(it.id(), k);
            entries.computeIfAbsent(new Cell(it.bracket(), k, configuration(it)), Entry::new)
                    .rows
                    .add(it);
        }
        // rank within (bracket, rung, by-group)
        Map<List<Object>, List<Entry>> rungs = new LinkedHashMap<>();
        for (Entry e : entries.values()) {
            e.value = mean(e.rows);
            rungs.computeIfAbsent(rungKey(e.cell), x -> new ArrayList<>()).add(e);
        }
        Comparator<Entry> best = Comparator.comparingDouble(e -> e.value);
        if (!settings.lowerIsBetter()) {
            best = best.reversed();
        }
        best = best.thenComparingLong(Entry::firstId);
        for (List<Entry> rung : rungs.values()) {
            List<Entry> ranked = new ArrayList<>();
            rung.forEach(e -> {
                if (e.value != null) {
                    ranked.add(e);
                }
            });
            ranked.sort(best);
            for (int i = 0; i < ranked.size(); i++) {
                ranked.get(i).rank = i + 1;
            }
        }
        List<Entry> ordered = new ArrayList<>(entries.values());
        ordered.sort(order());
        ResultTable rungTable = rungTable(ordered);
        return new Tables(rungTable, paths(ordered, byId, rungOfId));
    }

    private ResultTable rungTable(List<Entry> ordered) {
        List<String> columns = new ArrayList<>();
        if (brackets) {
            columns.add("bracket");
        }
        columns.add("rung");
        columns.add(settings.field());
        configAt.forEach(i -> columns.add(keyNames.get(i)));
        columns.add(settings.value());
        if (seeds) {
            columns.add("seeds");
        }
        columns.add("rank");
        columns.add("mark");
        List<List<Object>> rows = new ArrayList<>();
        for (Entry e : ordered) {
            List<Object> r = new ArrayList<>();
            if (brackets) {
                r.add(e.cell.bracket());
            }
            r.add(e.cell.k());
            r.add(settings.budgetValue(e.cell.k()));
            r.addAll(e.cell.configuration());
            r.add(e.value);
            if (seeds) {
                r.add((long) e.rows.size());
            }
            r.add(e.rank);
            r.add(mark(e));
            rows.add(r);
        }
        return new ResultTable(columns, rows);
    }

    private ResultTable paths(List<Entry> ordered, Map<Long, Item> byId, Map<Long, Integer> rungOfId) {
        // the highest rung each group and bracket reached
        Map<List<Object>, Integer> top = new HashMap<>();
        for (Entry e : ordered) {
            top.merge(groupKey(e.cell), e.cell.k(), Math::max);
        }
        Set<Integer> used = new java.util.TreeSet<>();
        List<Map.Entry<Entry, Map<Integer, List<Item>>>> survivors = new ArrayList<>();
        for (Entry e : ordered) {
            if (e.cell.k() != top.get(groupKey(e.cell))) {
                continue;
            }
            Map<Integer, List<Item>> path = new TreeMap<>();
            for (Item row : e.rows) {
                Item at = row;
                Set<Long> seen = new java.util.HashSet<>();
                while (at != null && seen.add(at.id())) {
                    Integer k = rungOfId.get(at.id());
                    if (k != null) {
                        path.computeIfAbsent(k, x -> new ArrayList<>()).add(at);
                    }
                    at = at.parentId() == null ? null : byId.get(at.parentId());
                }
            }
            used.addAll(path.keySet());
            survivors.add(Map.entry(e, path));
        }
        List<String> columns = new ArrayList<>();
        if (brackets) {
            columns.add("bracket");
        }
        configAt.forEach(i -> columns.add(keyNames.get(i)));
        for (int k : used) {
            columns.add(settings.value() + "@" + settings.budgetValue(k));
        }
        columns.add("mark");
        List<List<Object>> rows = new ArrayList<>();
        for (Map.Entry<Entry, Map<Integer, List<Item>>> s : survivors) {
            List<Object> r = new ArrayList<>();
            if (brackets) {
                r.add(s.getKey().cell.bracket());
            }
            r.addAll(s.getKey().cell.configuration());
            for (int k : used) {
                List<Item> at = s.getValue().get(k);
                r.add(at == null ? null : mean(at));
            }
            r.add(mark(s.getKey()));
            rows.add(r);
        }
        return new ResultTable(columns, rows);
    }

    private List<Object> configuration(Item it) {
        List<Object> c = new ArrayList<>();
        configAt.forEach(i -> c.add(it.keys()[i]));
        return c;
    }

    private List<Object> rungKey(Cell c) {
        List<Object> key = new ArrayList<>(groupKey(c));
        key.add(c.k());
        return key;
    }

    private List<Object> groupKey(Cell c) {
        List<Object> key = new ArrayList<>();
        key.add(c.bracket());
        key.addAll(c.configuration().subList(0, settings.by().size()));
        return key;
    }

    /** Brackets s_max first, then rungs up, groups in order, best rank first (unranked last, by id). */
    private Comparator<Entry> order() {
        return (a, b) -> {
            int c = Integer.compare(
                    b.cell.bracket() == null ? 0 : b.cell.bracket(), a.cell.bracket() == null ? 0 : a.cell.bracket());
            if (c != 0) {
                return c;
            }
            for (int i = 0; i < settings.by().size(); i++) {
                c = compareValues(
                        a.cell.configuration().get(i), b.cell.configuration().get(i));
                if (c != 0) {
                    return c;
                }
            }
            c = Integer.compare(a.cell.k(), b.cell.k());
            if (c != 0) {
                return c;
            }
            c = Integer.compare(
                    a.rank == null ? Integer.MAX_VALUE : a.rank, b.rank == null ? Integer.MAX_VALUE : b.rank);
            return c != 0 ? c : Long.compare(a.firstId(), b.firstId());
        };
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compareValues(Object a, Object b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : 1) : -1;
        }
        if (a instanceof Number x && b instanceof Number y) {
            return Double.compare(x.doubleValue(), y.doubleValue());
        }
        if (a instanceof Comparable ca && a.getClass() == b.getClass()) {
            return ca.compareTo(b);
        }
        return a.toString().compareTo(b.toString());
    }

    /** The mean over the done rows with a value; null when none has one. */
    private static Double mean(List<Item> rows) {
        double sum = 0;
        int n = 0;
        for (Item r : rows) {
            if ("done".equals(r.status()) && r.value() != null && !r.value().isNaN()) {
                sum += r.value();
                n++;
            }
        }
        return n == 0 ? null : sum / n;
    }

    private String mark(Entry e) {
        Set<String> marks = new LinkedHashSet<>();
        for (String m : List.of("promoted", "stopped", "running", "error", "done", "open")) {
            for (Item r : e.rows) {
                if (m.equals(mark(r, e.cell.k()))) {
                    marks.add(m);
                }
            }
        }
        return String.join(", ", marks);
    }

    private String mark(Item r, int k) {
        if (r.halving() != null) {
            return r.halving();
        }
        return switch (r.status()) {
            case "running" -> "running";
            case "error" -> "error";
            case "done" -> k >= plan.maxRung() ? "done" : "open";
            default -> "open";
        };
    }
}
