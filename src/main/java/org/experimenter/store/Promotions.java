package org.experimenter.store;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;
import org.experimenter.ExperimenterException;
import org.experimenter.FieldType;
import org.experimenter.Status;
import org.experimenter.grid.Parameter;

/**
 * Follow-up stages ({@code promote}): the configurations of one stage are ranked per group by
 * the mean of a result field over their done rows, and the best of each group get new rows at
 * the next stage, with new values of one keyfield (more seeds). A configuration is a row's
 * keyfield values other than that keyfield.
 *
 * <p>The rules: the ranking reads done rows only, under the {@code --where} rule; ties go to the
 * configuration with the smaller id (grid order). New rows carry {@code stage} = the ranked stage
 * + 1 and {@code parent_id} = the smallest id of their configuration's done rows there. They are
 * inserted by the grid's fill ({@link GridFill}), so the UNIQUE constraint over the keyfields
 * decides and concurrent promotions never duplicate a row. A row the promotion would add that is
 * already there at the new stage counts as added before (promoting twice adds nothing); one that
 * is there at another stage is a value that configuration has used, and the promotion is refused
 * before anything is written.
 */
public final class Promotions implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Values of the set field per statement of {@link #used}. */
    private static final int IN_CHUNK = 1_000;

    private final Database db;

    Promotions(Database db) {
        this.db = db;
    }

    /**
     * What to promote.
     *
     * @param by keyfields whose values make the groups (none: one group)
     * @param top how many configurations of each group
     * @param value the numeric result field ranked by its mean
     * @param lowerIsBetter rank the lowest mean first
     * @param where the rows ranked, a checked condition already narrowed to {@code fromStage}, or null
     * @param fromStage the stage whose rows are ranked; the new rows get the next one
     * @param setField the keyfield the new rows take new values of
     * @param setValues those values, in order
     */
    public record Request(
            List<String> by,
            int top,
            String value,
            boolean lowerIsBetter,
            Where where,
            int fromStage,
            String setField,
            List<Object> setValues) {
        public Request {
            by = List.copyOf(by);
            setValues = Collections.unmodifiableList(new ArrayList<>(setValues));
        }
    }

    /**
     * One configuration promoted: its group's values, its keyfield values other than the set
     * field (both by name, in keyfield order), its mean over its done rows and their number, its
     * rank in the group (1 is the best) and the parent id its new rows carry.
     */
    public record Chosen(
            Map<String, Object> group,
            Map<String, Object> configuration,
            double mean,
            long rows,
            int rank,
            long parentId) {}

    /**
     * What a promotion adds: the new stage, the configurations chosen (groups in grid order), the
     * rows to insert (keyfield values in keyfield order, then stage and parent id), how many of
     * its rows the table has already at that stage, and how many rows in the ranked scope are not
     * done (left out of the ranking).
     */
    public record Plan(int stage, List<Chosen> chosen, List<Object[]> rows, long alreadyThere, long notDone) {}

    /** Reads the ranking and plans the new rows; throws naming used values, before anything is written. */
    public Plan plan(Request r) {
        List<Parameter> keys = db.config.keyfields();
        Parameter set = keyfield("--set", r.setField());
        List<Parameter> configuration = new ArrayList<>();
        for (Parameter p : keys) {
            if (!p.name().equals(set.name())) {
                configuration.add(p);
            }
        }
        for (String b : r.by()) {
            keyfield("--by", b);
            if (b.equals(set.name())) {
                throw new ExperimenterException("--by " + b + ": the new rows take new values of " + b
                        + " (--set); group by the other keyfields");
            }
        }
        checkValue(r.value());
        if (r.top() < 1) {
            throw new ExperimenterException("--top " + r.top() + ": promote at least 1 configuration per group");
        }
        if (r.setValues().isEmpty()) {
            throw new ExperimenterException("--set " + set.name() + ": give at least one value");
        }
        return db.withConnection("cannot read the ranking of " + db.table, c -> {
            List<Ranked> ranked = rank(c, r, configuration);
            long notDone = notDone(c, r.where());
            List<Chosen> chosen = choose(ranked, r, configuration);
            int stage = r.fromStage() + 1;
            Map<List<Object>, Map<Object, Integer>> used = used(c, set, r.setValues(), configuration);
            List<Object[]> rows = new ArrayList<>();
            long there = 0;
            String conflict = null;
            int conflicts = 0;
            for (Chosen ch : chosen) {
                List<Object> conf = new ArrayList<>(ch.configuration().values());
                Map<Object, Integer> stages = used.getOrDefault(conf, Map.of());
                Set<Object> clash = new TreeSet<>(Promotions::compareValues);
                Set<Integer> clashStages = new TreeSet<>();
                for (Object v : r.setValues()) {
                    Integer s = stages.get(v);
                    if (s == null) {
                        rows.add(row(keys, ch, set.name(), v, stage));
                    } else if (s == stage) {
                        there++;
                    } else {
                        clash.add(v);
                        clashStages.add(s);
                    }
                }
                if (!clash.isEmpty()) {
                    conflicts++;
                    if (conflict == null) {
                        conflict = describe(ch.configuration()) + " already has rows with " + set.name() + " "
                                + join(clash) + " (stage " + join(clashStages) + ")";
                    }
                }
            }
            if (conflict != null) {
                throw new ExperimenterException("--set " + set.name() + ": " + conflict
                        + (conflicts == 2 ? " (so has 1 more configuration)" : "")
                        + (conflicts > 2 ? " (so have " + (conflicts - 1) + " more configurations)" : "")
                        + "; give values none of the promoted configurations has used; nothing was added");
            }
            return new Plan(stage, chosen, rows, there, notDone);
        });
    }

    /** Inserts the plan's rows; returns how many were new (rows another promotion added meanwhile are skipped). */
    public long add(Plan plan) {
        LinkedHashMap<String, FieldType> extra = new LinkedHashMap<>();
        extra.put("stage", FieldType.INT);
        extra.put("parent_id", FieldType.LONG);
        return new GridFill(db).fill(plan.rows().iterator(), extra);
    }

    /** A configuration's mean, its number of rows with a value, and its smallest done row's id. */
    private record Ranked(List<Object> configuration, double mean, long rows, long firstId) {}

    private List<Ranked> rank(Connection c, Request r, List<Parameter> configuration) throws SQLException {
        StringJoiner cols = new StringJoiner(", ");
        configuration.forEach(p -> cols.add(p.name()));
        String group = configuration.isEmpty() ? "" : " GROUP BY " + cols;
        String select = configuration.isEmpty() ? "" : cols + ", ";
        String sql = "SELECT " + select + "AVG(" + r.value() + "), COUNT(" + r.value() + "), MIN(id) FROM " + db.table
                + " WHERE status = " + StatusLiterals.literal(Status.DONE) + " AND (" + condition(r.where()) + ")"
                + group;
        int n = configuration.size();
        List<Ranked> out = Jdbc.query(c, sql, Jdbc.NO_PARAMETERS, rs -> {
            List<Object> conf = new ArrayList<>(n);
            for (Parameter p : configuration) {
                conf.add(Values.read(rs, p.name(), p.type()));
            }
            double mean = rs.getDouble(n + 1);
            boolean noValue = rs.wasNull();
            return new Ranked(conf, noValue ? Double.NaN : mean, rs.getLong(n + 2), rs.getLong(n + 3));
        });
        out.removeIf(x -> x.rows() == 0);
        return out;
    }

    private List<Chosen> choose(List<Ranked> ranked, Request r, List<Parameter> configuration) {
        List<Integer> byIndex = new ArrayList<>();
        for (String b : r.by()) {
            for (int i = 0; i < configuration.size(); i++) {
                if (configuration.get(i).name().equals(b)) {
                    byIndex.add(i);
                }
            }
        }
        Map<List<Object>, List<Ranked>> groups = new HashMap<>();
        for (Ranked x : ranked) {
            List<Object> g = new ArrayList<>();
            byIndex.forEach(i -> g.add(x.configuration().get(i)));
            groups.computeIfAbsent(g, k -> new ArrayList<>()).add(x);
        }
        Comparator<Ranked> best = Comparator.comparingDouble(Ranked::mean);
        if (!r.lowerIsBetter()) {
            best = best.reversed();
        }
        best = best.thenComparingLong(Ranked::firstId);
        List<List<Ranked>> ordered = new ArrayList<>(groups.values());
        for (List<Ranked> g : ordered) {
            g.sort(best);
        }
        // groups in grid order: by the smallest id among their configurations
        ordered.sort(Comparator.comparingLong(
                g -> g.stream().mapToLong(Ranked::firstId).min().orElse(0)));
        List<Chosen> out = new ArrayList<>();
        for (List<Ranked> g : ordered) {
            for (int i = 0; i < Math.min(r.top(), g.size()); i++) {
                Ranked x = g.get(i);
                Map<String, Object> conf = new LinkedHashMap<>();
                for (int k = 0; k < configuration.size(); k++) {
                    conf.put(configuration.get(k).name(), x.configuration().get(k));
                }
                Map<String, Object> groupValues = new LinkedHashMap<>();
                for (String b : r.by()) {
                    groupValues.put(b, conf.get(b));
                }
                out.add(new Chosen(groupValues, conf, x.mean(), x.rows(), i + 1, x.firstId()));
            }
        }
        return out;
    }

    private long notDone(Connection c, Where where) throws SQLException {
        return Jdbc.query(
                        c,
                        "SELECT COUNT(*) FROM " + db.table + " WHERE status <> " + StatusLiterals.literal(Status.DONE)
                                + " AND (" + condition(where) + ")",
                        Jdbc.NO_PARAMETERS,
                        rs -> rs.getLong(1))
                .get(0);
    }

    /**
     * Per configuration, the stage of each of its rows whose set field has one of the values; read
     * in chunks of {@link #IN_CHUNK} values, as --set may give more than one statement takes
     * (PostgreSQL takes 65,535 parameters).
     */
    private Map<List<Object>, Map<Object, Integer>> used(
            Connection c, Parameter set, List<Object> values, List<Parameter> configuration) throws SQLException {
        List<Object> distinct = new ArrayList<>(new java.util.LinkedHashSet<>(values));
        StringJoiner cols = new StringJoiner(", ");
        configuration.forEach(p -> cols.add(p.name()));
        Map<List<Object>, Map<Object, Integer>> out = new HashMap<>();
        for (int from = 0; from < distinct.size(); from += IN_CHUNK) {
            List<Object> chunk = distinct.subList(from, Math.min(distinct.size(), from + IN_CHUNK));
            String marks = String.join(", ", Collections.nCopies(chunk.size(), "?"));
            String sql = "SELECT " + (configuration.isEmpty() ? "" : cols + ", ") + set.name() + ", stage FROM "
                    + db.table + " WHERE " + set.name() + " IN (" + marks + ")";
            Jdbc.query(
                    c,
                    sql,
                    ps -> {
                        int i = 1;
                        for (Object v : chunk) {
                            Values.bind(ps, i++, set.type(), v);
                        }
                    },
                    rs -> {
                        List<Object> conf = new ArrayList<>();
                        for (Parameter p : configuration) {
                            conf.add(Values.read(rs, p.name(), p.type()));
                        }
                        Object v = Values.read(rs, set.name(), set.type());
                        return out.computeIfAbsent(conf, k -> new HashMap<>()).put(v, rs.getInt("stage"));
                    });
        }
        return out;
    }

    private static Object[] row(List<Parameter> keys, Chosen ch, String setField, Object value, int stage) {
        Object[] row = new Object[keys.size() + 2];
        for (int i = 0; i < keys.size(); i++) {
            String k = keys.get(i).name();
            row[i] = k.equals(setField) ? value : ch.configuration().get(k);
        }
        row[keys.size()] = stage;
        row[keys.size() + 1] = ch.parentId();
        return row;
    }

    private String condition(Where where) {
        return where == null ? "1 = 1" : WhereSql.of(where, db.dialect);
    }

    private Parameter keyfield(String option, String name) {
        Parameter p = db.config.keyfield(name);
        if (p == null) {
            throw new ExperimenterException(
                    option + " " + name + ": no such keyfield; the keyfields are " + db.config.keyfieldNames());
        }
        return p;
    }

    private void checkValue(String value) {
        FieldType t = db.config.resultfields().get(value);
        List<String> numeric = new ArrayList<>();
        db.config.resultfields().forEach((k, v) -> {
            if (v == FieldType.INT || v == FieldType.LONG || v == FieldType.DOUBLE) {
                numeric.add(k);
            }
        });
        if (t == null || !numeric.contains(value)) {
            throw new ExperimenterException("--value " + value + ": "
                    + (t == null
                            ? "no such result field"
                            : "result field of type " + t.configName() + " is not numeric")
                    + "; the numeric result fields are " + numeric);
        }
    }

    /** "dataset=blobs, k=3". */
    public static String describe(Map<String, Object> values) {
        StringJoiner j = new StringJoiner(", ");
        values.forEach((k, v) -> j.add(k + "=" + v));
        return j.toString();
    }

    private static String join(Set<?> values) {
        StringJoiner j = new StringJoiner(", ");
        values.forEach(v -> j.add(String.valueOf(v)));
        return j.toString();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compareValues(Object a, Object b) {
        return a instanceof Comparable x && a.getClass() == b.getClass()
                ? x.compareTo(b)
                : String.valueOf(a).compareTo(String.valueOf(b));
    }
}
