package org.experimenter.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.experimenter.ExperimenterException;
import org.experimenter.FieldType;
import org.experimenter.Status;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.spark.SparkTables;
import org.experimenter.store.ExperimentStore;
import org.experimenter.store.StatusCount;
import org.experimenter.store.Where;

/**
 * Aggregates the results of done rows with Spark SQL: grouped by every keyfield not listed in
 * {@link #over}, for each numeric result field the chosen {@link Stat statistics}.
 *
 * <pre>{@code
 * ResultTable t = new Evaluation(spark, config)
 *     .over(List.of("seed"))
 *     .stats(List.of(Stat.MEAN, Stat.CI95, Stat.COUNT))
 *     .where("k <= 7")
 *     .collect();
 * System.out.print(TableFormat.LATEX.render(t, 3));
 * }</pre>
 *
 * The result columns are the grouping keyfields, then {@code <field>_<stat>} for each result
 * field and statistic, e.g. {@code accuracy_mean}. Rows of other statuses are left out; {@link
 * #leftOut()} counts them.
 */
public final class Evaluation {
    /**
     * Per-row sums over the energy table ({@code <table>__energy}) that {@code --fields} and {@code
     * --value} take beside the result fields when energy is on: a row's energy is that of all its
     * attempts, so {@code --stats sum} gives what a group of results cost.
     */
    public static final List<String> ENERGY_FIELDS =
            List.of("energy_kwh", "emissions_kg", "cpu_energy_kwh", "ram_energy_kwh", "gpu_energy_kwh");

    private final SparkSession spark;
    private final ExperimentConfig config;
    private List<String> over;
    private List<Stat> stats;
    private List<String> fields;
    private String fieldsOption = "--fields";
    private String where;
    private Integer stage;
    private Where whereCondition;
    private Dataset<Row> source;
    private ExperimentStore store;

    public Evaluation(SparkSession spark, ExperimentConfig config) {
        this.spark = spark;
        this.config = config;
    }

    /** The keyfields to aggregate over; by default {@code seed} when there is such a keyfield, else none. */
    public Evaluation over(List<String> keyfields) {
        this.over = keyfields == null ? null : List.copyOf(keyfields);
        return this;
    }

    /** The statistics to compute; by default {@link Stat#DEFAULT} (mean, std, count). */
    public Evaluation stats(List<Stat> stats) {
        this.stats = stats == null ? null : List.copyOf(stats);
        return this;
    }

    /** The result fields to aggregate; by default every numeric one. */
    public Evaluation fields(List<String> resultfields) {
        return fields(resultfields, "--fields");
    }

    /** The same, a field refused named as given by {@code option} ({@code --eval} of run). */
    public Evaluation fields(List<String> resultfields, String option) {
        this.fields = resultfields == null ? null : List.copyOf(resultfields);
        this.fieldsOption = option;
        this.counted = null;
        return this;
    }

    /** A Spark SQL condition over the table's columns narrowing the rows, e.g. {@code "k <= 7"}; null for all. */
    public Evaluation where(String condition) {
        this.where = condition == null || condition.isBlank() ? null : condition;
        // checked at once against the table's columns: the same rule as run and reset
        this.whereCondition = new ExperimentStore(config).where(where, stage);
        this.counted = null;
        return this;
    }

    /**
     * Only the rows of one stage (1: the grid; 2 and up: rows {@code promote} added), null for
     * all; it narrows {@link #where} as one checked condition.
     */
    public Evaluation stage(Integer stage) {
        this.stage = stage;
        this.whereCondition = new ExperimentStore(config).where(where, stage);
        this.counted = null;
        return this;
    }

    /**
     * Reads the experiment table from this DataFrame instead of through JDBC: a copy cached in
     * Spark, which a long-lived process (the web view) reads again only when rows change.
     */
    public Evaluation from(Dataset<Row> table) {
        this.source = table;
        this.counted = null;
        return this;
    }

    /**
     * Counts the rows by status ({@link #leftOut()}, {@link #withoutValue()}) with one statement
     * on the database instead of a Spark job; not used when reading {@link #from a DataFrame},
     * whose rows are what is counted then.
     */
    public Evaluation countingWith(ExperimentStore store) {
        this.store = store;
        this.counted = null;
        return this;
    }

    /** The keyfields aggregated over, checked against the config. */
    public List<String> overFields() {
        if (over == null) {
            return config.keyfield("seed") != null ? List.of("seed") : List.of();
        }
        for (String o : over) {
            if (config.keyfield(o) == null) {
                throw new ExperimenterException(
                        "--over " + o + ": no such keyfield; the keyfields are " + config.keyfieldNames());
            }
        }
        return over;
    }

    /** The keyfields the rows are grouped by: every keyfield not aggregated over, in config order. */
    public List<String> groupFields() {
        List<String> o = overFields();
        List<String> groups = new ArrayList<>();
        for (String k : config.keyfieldNames()) {
            if (!o.contains(k)) {
                groups.add(k);
            }
        }
        return groups;
    }

    /** The result fields aggregated, checked to exist and be numeric. */
    public List<String> resultFields() {
        List<String> numeric = numericResultFields();
        if (fields == null) {
            if (numeric.isEmpty()) {
                throw new ExperimenterException(
                        config.origin() + ": resultfields: no numeric result field to aggregate");
            }
            return numeric;
        }
        if (fields.isEmpty()) {
            throw new ExperimenterException(fieldsOption + ": name at least one of " + numeric);
        }
        for (String f : fields) {
            checkNumericResult(fieldsOption, f);
        }
        return fields;
    }

    /** The statistics computed. */
    public List<Stat> statList() {
        return stats == null ? Stat.DEFAULT : stats;
    }

    /**
     * The Spark SQL statement the evaluation runs over a view of the table: the view holds the
     * rows of the {@code --where} condition already (a Spark column built from its checked tree),
     * so no text of the user's is in the statement.
     */
    String query(String view) {
        List<String> groups = groupFields();
        List<String> select = new ArrayList<>();
        for (String g : groups) {
            select.add(quote(g));
        }
        for (String f : resultFields()) {
            for (Stat s : statList()) {
                select.add(s.sql(quote(f)) + " AS " + quote(f + "_" + s.key()));
            }
        }
        String sql = "SELECT " + String.join(", ", select) + " FROM " + quote(view) + " WHERE status = 'done'";
        if (!groups.isEmpty()) {
            List<String> q = new ArrayList<>();
            for (String g : groups) {
                q.add(quote(g));
            }
            sql += " GROUP BY " + String.join(", ", q) + " ORDER BY " + String.join(", ", q);
        }
        return sql;
    }

    /** The aggregation as a Spark DataFrame (lazy: nothing runs until it is used). */
    public Dataset<Row> aggregate() {
        StudentT.register(spark);
        return overView(view -> SqlErrors.translate(context(), () -> spark.sql(query(view))));
    }

    /**
     * Runs the aggregation and collects it; mean and std of a field show as one column {@code
     * mean ± std} in the formats for people.
     *
     * @throws ExperimenterException when no done row matches, naming the statuses found instead
     */
    public ResultTable collect() {
        Dataset<Row> df = aggregate();
        boolean small = store != null && source == null && rowsCounted() <= INTERPRETED_ROWS;
        ResultTable t = SqlErrors.translate(context(), () -> {
            describe("eval");
            try {
                return small ? Interpreted.run(spark, () -> ResultTable.of(df)) : ResultTable.of(df);
            } finally {
                spark.sparkContext().setJobDescription(null);
            }
        });
        if (t.size() == 0) {
            throw new ExperimenterException(nothingDone());
        }
        if (statList().contains(Stat.MEAN) && statList().contains(Stat.STD)) {
            for (String f : resultFields()) {
                t = t.withMerged(f + "_mean", f + "_std", f);
            }
        }
        return t;
    }

    /**
     * These columns of every row matching {@link #where} (any status), collected on the driver,
     * ordered by id: what {@link Rungs} ranks.
     */
    public List<Row> rowsOf(List<String> columns) {
        List<String> q = new ArrayList<>();
        for (String c : columns) {
            q.add(quote(c));
        }
        return SqlErrors.translate(context(), () -> {
            describe("eval --rung, reading the rows");
            try {
                return overView(view ->
                                spark.sql("SELECT " + String.join(", ", q) + " FROM " + quote(view) + " ORDER BY id"))
                        .collectAsList();
            } finally {
                spark.sparkContext().setJobDescription(null);
            }
        });
    }

    /** Rows matching {@link #where} that are not done, per status (only statuses with rows). */
    public Map<String, Long> leftOut() {
        Map<String, Long> all = countByStatus();
        all.remove(Status.DONE.dbName());
        return all;
    }

    /**
     * Per result field evaluated, the done rows matching {@link #where} that have no value of it
     * (only fields with such rows). A NaN result is stored as no value on every database (SQLite
     * cannot store NaN), so these rows are left out of that field's statistics: mean, std and
     * the others, count included, are over the rows that have a value.
     */
    public Map<String, Long> withoutValue() {
        countByStatus();
        return new LinkedHashMap<>(withoutValue);
    }

    /**
     * The pivot form: one row per value of the {@code rows} keyfields, one column per value of
     * the {@code columns} keyfields, each cell the chosen statistic of {@code value} (by default
     * {@code mean ± std}); the best cell of each row is marked.
     *
     * <p>With {@link #stats} the first statistic is the cell's value (mean, median, min, max or
     * count) and an optional second one its spread (std, se or ci95).
     *
     * @param lowerIsBetter mark the smallest value of each row as best instead of the largest
     * @throws ExperimenterException when a field is unknown, or a keyfield outside rows, columns
     *     and {@link #over} has more than one value among the matching rows
     */
    public ResultTable pivot(List<String> rows, List<String> columns, String value, boolean lowerIsBetter) {
        return pivot(rows, columns, value, lowerIsBetter, "--rows", "--columns");
    }

    /**
     * The pivot with each cell tested against its row's best (or {@link CellTest#against the control column}) over the
     * {@link #over} values both cells have; the cells not significantly worse are marked ({@link
     * ResultTable#isMarked}) and the p-values are machine-only columns {@code <column>_p}, {@code <column>_p_holm},
     * {@code <column>_pairs}, with {@code not_worse} naming the marked columns. A null test gives the plain pivot.
     *
     * @throws ExperimenterException as {@link #pivot(List, List, String, boolean)}, and when nothing is aggregated
     *     over (the tests pair by it) or {@code --against} names no column
     */
    public ResultTable pivot(
            List<String> rows, List<String> columns, String value, boolean lowerIsBetter, CellTest test) {
        if (test == null) {
            return pivot(rows, columns, value, lowerIsBetter);
        }
        List<String> pairedBy = overFields();
        if (pairedBy.isEmpty()) {
            throw new ExperimenterException("--test pairs the cells by the --over keyfields (the seed), and there are"
                    + " none: name them with --over");
        }
        ResultTable t = pivot(rows, columns, value, lowerIsBetter);
        List<String> labels = new ArrayList<>();
        Map<List<Object>, Map<String, Map<List<Object>, Double>>> samples = samples(rows, columns, value, labels);
        Stat center = stats == null ? Stat.MEAN : stats.get(0);
        return SignificanceMarks.apply(
                t,
                rows,
                labels,
                columns.size() == 1 ? columns.get(0) : null,
                samples,
                test,
                lowerIsBetter,
                pairedBy,
                center);
    }

    /**
     * The values of the done rows matching {@link #where}, per row key, column label and {@link #over} key, for the
     * paired tests of a pivot; fills {@code labels} with the pivot's column labels in order. Rows without a value
     * (NaN, never written) count for the labels but give no value.
     */
    private Map<List<Object>, Map<String, Map<List<Object>, Double>>> samples(
            List<String> rows, List<String> columns, String value, List<String> labels) {
        List<String> select = new ArrayList<>();
        for (List<String> part : List.of(rows, columns, overFields())) {
            for (String f : part) {
                select.add(quote(f));
            }
        }
        select.add("CAST(" + quote(value) + " AS DOUBLE)");
        List<Row> found = SqlErrors.translate(context(), () -> {
            describe("eval --test, reading the values per " + String.join(",", overFields()));
            try {
                return overView(view -> spark.sql("SELECT " + String.join(", ", select) + " FROM " + quote(view)
                                + " WHERE status = 'done'"))
                        .collectAsList();
            } finally {
                spark.sparkContext().setJobDescription(null);
            }
        });
        int nr = rows.size();
        int nc = columns.size();
        int no = overFields().size();
        java.util.Set<List<Object>> colKeys = Pivot.sortedKeys();
        for (Row r : found) {
            colKeys.add(values(r, nr, nc));
        }
        Map<List<Object>, String> label = Pivot.columnLabels(rows, columns, colKeys, spreadOf());
        labels.addAll(label.values());
        Map<List<Object>, Map<String, Map<List<Object>, Double>>> out = new LinkedHashMap<>();
        for (Row r : found) {
            int v = nr + nc + no;
            if (r.isNullAt(v) || Double.isNaN(r.getDouble(v))) {
                continue;
            }
            out.computeIfAbsent(values(r, 0, nr), k -> new LinkedHashMap<>())
                    .computeIfAbsent(label.get(values(r, nr, nc)), k -> new LinkedHashMap<>())
                    .put(values(r, nr + nc, no), r.getDouble(v));
        }
        return out;
    }

    private static List<Object> values(Row r, int from, int count) {
        List<Object> k = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            k.add(r.isNullAt(i) ? null : r.get(i));
        }
        return k;
    }

    /** The spread statistic of a pivot (its column names follow the labels), or null. */
    private Stat spreadOf() {
        List<Stat> chosen = stats == null ? List.of(Stat.MEAN, Stat.STD) : stats;
        return chosen.size() > 1 ? chosen.get(1) : null;
    }

    /**
     * The input of {@code compare}: the mean of {@code value} over {@link #over} with one row per data set and one
     * column per method, checked as a pivot is, with errors naming --datasets and --methods.
     */
    public ResultTable meansByDatasetAndMethod(String datasets, String methods, String value, boolean lowerIsBetter) {
        stats(List.of(Stat.MEAN));
        return pivot(List.of(datasets), List.of(methods), value, lowerIsBetter, "--datasets", "--methods");
    }

    private ResultTable pivot(
            List<String> rows,
            List<String> columns,
            String value,
            boolean lowerIsBetter,
            String rowsOption,
            String columnsOption) {
        List<String> groups = groupFields();
        checkPivotFields(rowsOption, rows, groups);
        checkPivotFields(columnsOption, columns, groups);
        for (String r : rows) {
            if (columns.contains(r)) {
                throw new ExperimenterException(
                        rowsOption + " and " + columnsOption + " both name " + r + "; a keyfield goes to one of them");
            }
        }
        checkNumericResult("--value", value);
        List<Stat> chosen = stats == null ? List.of(Stat.MEAN, Stat.STD) : stats;
        Stat center = chosen.get(0);
        Stat spread = chosen.size() > 1 ? chosen.get(1) : null;
        if (center.isSpread() || (spread != null && !spread.isSpread()) || chosen.size() > 2) {
            throw new ExperimenterException("--stats " + keys(chosen)
                    + ": in a pivot give a value (mean, median, min, max or count) and optionally its spread"
                    + " (std, se or ci95), e.g. mean,std");
        }
        List<Stat> needed = new ArrayList<>(List.of(center));
        if (spread != null) {
            needed.add(spread);
        }
        ResultTable aggregated = new Evaluation(spark, config)
                .from(source)
                .countingWith(store)
                .over(over)
                .where(where)
                .stage(stage)
                .fields(List.of(value))
                .stats(needed)
                .collect();
        return Pivot.build(
                aggregated, groups, rows, columns, value, center, spread, lowerIsBetter, rowsOption, columnsOption);
    }

    // ---- helpers ------------------------------------------------------------------------------

    /**
     * Tables of at most this many rows in the condition are aggregated without generated code:
     * compiling it takes longer than interpreting a few thousand rows (the 13-row example's eval
     * is about 0.6 s faster).
     */
    static final long INTERPRETED_ROWS = 50_000;

    /** The rows of the condition, any status, as the database counts them. */
    private long rowsCounted() {
        return countByStatus().values().stream().mapToLong(Long::longValue).sum();
    }

    private final Map<String, Long> withoutValue = new LinkedHashMap<>();
    /** The counts by status for the current condition and fields: leftOut and withoutValue share one job. */
    private Map<String, Long> counted;

    private Map<String, Long> countByStatus() {
        if (counted == null) {
            counted = countByStatusNow();
        }
        return new LinkedHashMap<>(counted);
    }

    private Map<String, Long> countByStatusNow() {
        List<String> fields = new ArrayList<>(resultFields());
        fields.removeAll(energyFieldsUsed(fields)); // not columns of the experiment table
        List<StatusCount> rows =
                store != null && source == null ? store.counts(whereCondition, fields) : countWithSpark(fields);
        withoutValue.clear();
        Map<String, Long> found = new LinkedHashMap<>();
        for (StatusCount r : rows) {
            found.put(r.status(), r.rows());
            if (Status.DONE.dbName().equals(r.status())) {
                for (int i = 0; i < fields.size(); i++) {
                    if (r.withoutValue().get(i) > 0) {
                        withoutValue.put(fields.get(i), r.withoutValue().get(i));
                    }
                }
            }
        }
        Map<String, Long> ordered = new LinkedHashMap<>();
        for (Status s : Status.values()) {
            if (found.containsKey(s.dbName())) {
                ordered.put(s.dbName(), found.remove(s.dbName()));
            }
        }
        ordered.putAll(found);
        return ordered;
    }

    private List<StatusCount> countWithSpark(List<String> fields) {
        StringBuilder nulls = new StringBuilder();
        for (String f : fields) {
            nulls.append(", count(*) - count(").append(quote(f)).append(")");
        }
        List<Row> rows = SqlErrors.translate(context(), () -> {
            describe("eval, counting rows by status");
            try {
                return overView(view -> spark.sql(
                                "SELECT status, count(*)" + nulls + " FROM " + quote(view) + " GROUP BY status"))
                        .collectAsList();
            } finally {
                spark.sparkContext().setJobDescription(null);
            }
        });
        List<StatusCount> out = new ArrayList<>();
        for (Row r : rows) {
            List<Long> missing = new ArrayList<>();
            for (int i = 0; i < fields.size(); i++) {
                missing.add(r.getLong(i + 2));
            }
            out.add(new StatusCount(r.getString(0), r.getLong(1), missing));
        }
        return out;
    }

    private String nothingDone() {
        Map<String, Long> counts = countByStatus();
        String matching = (where == null ? "" : " matching --where \"" + where + "\"")
                + (stage == null ? "" : " in stage " + stage);
        if (counts.isEmpty()) {
            return "nothing to evaluate: table " + config.table() + " has no rows" + matching
                    + (where == null && stage == null ? " (fill and run it first)" : "");
        }
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            parts.add(e.getValue() + " " + e.getKey());
        }
        return "nothing to evaluate: table " + config.table() + " has no done rows" + matching + " ("
                + String.join(", ", parts) + ")";
    }

    private static final java.util.concurrent.atomic.AtomicLong VIEWS = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Runs a statement over a temporary view of the table's rows matching the condition, under a
     * name of this call's own (evaluations of a long-lived session, such as the web view's, run at
     * once with other conditions). The statement is analysed when made, so the view is dropped
     * right after.
     */
    private Dataset<Row> overView(java.util.function.Function<String, Dataset<Row>> statement) {
        Dataset<Row> rows = source == null ? SparkTables.table(spark, config) : source;
        if (whereCondition != null) {
            rows = rows.where(WhereColumn.of(whereCondition));
        }
        List<String> energy = fields == null ? List.of() : energyFieldsUsed(fields);
        if (!energy.isEmpty()) {
            rows = rows.join(energyPerRow(energy), rows.col("id").equalTo(functions.col("energy_id")), "left")
                    .drop("energy_id");
        }
        String view = config.table() + "_eval_" + VIEWS.incrementAndGet();
        rows.createOrReplaceTempView(view);
        try {
            return statement.apply(view);
        } finally {
            spark.catalog().dropTempView(view);
        }
    }

    /** Per experiment row, the sums of these energy columns over its attempts. */
    private Dataset<Row> energyPerRow(List<String> columns) {
        String table = new ExperimentStore(config).schema().energyTable();
        List<Column> sums = new ArrayList<>();
        for (String c : columns) {
            sums.add(functions.sum(functions.col(c)).as(c));
        }
        return SparkTables.other(spark, config, table)
                .groupBy(functions.col("id").as("energy_id"))
                .agg(sums.get(0), sums.subList(1, sums.size()).toArray(new Column[0]));
    }

    private void describe(String phase) {
        spark.sparkContext().setJobDescription("experimenter " + phase + ": table " + config.table());
    }

    private String context() {
        return where == null ? "" : "--where \"" + where + "\": ";
    }

    private List<String> numericResultFields() {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, FieldType> r : config.resultfields().entrySet()) {
            if (isNumeric(r.getValue())) {
                out.add(r.getKey());
            }
        }
        return out;
    }

    private void checkNumericResult(String option, String field) {
        FieldType t = config.resultfields().get(field);
        if (t == null && isEnergyField(field)) {
            return;
        }
        if (t == null) {
            String also = config.keyfield(field) != null ? " (" + field + " is a keyfield)" : "";
            throw new ExperimenterException(option + " " + field + ": no such result field" + also
                    + "; the numeric result fields are " + numericResultFields()
                    + (config.energy().enabled() ? ", and the energy fields " + ENERGY_FIELDS : ""));
        }
        if (!isNumeric(t)) {
            throw new ExperimenterException(option + " " + field + ": result field of type " + t.configName()
                    + " is not numeric; the numeric result fields are " + numericResultFields());
        }
    }

    private void checkPivotFields(String option, List<String> names, List<String> groups) {
        if (names == null || names.isEmpty()) {
            throw new ExperimenterException(option + ": name at least one keyfield of " + groups);
        }
        for (String n : names) {
            if (config.keyfield(n) == null) {
                throw new ExperimenterException(
                        option + " " + n + ": no such keyfield; the keyfields are " + config.keyfieldNames());
            }
            if (!groups.contains(n)) {
                throw new ExperimenterException(option + " " + n + ": the evaluation aggregates over " + n + " (--over "
                        + String.join(",", overFields()) + ")");
            }
        }
    }

    /** Whether a field is read from the energy table: energy on, and no result field of that name. */
    private boolean isEnergyField(String field) {
        return config.energy().enabled()
                && ENERGY_FIELDS.contains(field)
                && !config.resultfields().containsKey(field);
    }

    /** The energy fields among those evaluated (the pivot's value among them). */
    private List<String> energyFieldsUsed(List<String> fields) {
        List<String> out = new ArrayList<>();
        for (String f : fields) {
            if (isEnergyField(f)) {
                out.add(f);
            }
        }
        return out;
    }

    static boolean isNumeric(FieldType t) {
        return t == FieldType.INT || t == FieldType.LONG || t == FieldType.DOUBLE;
    }

    static String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }

    private static String keys(List<Stat> stats) {
        List<String> k = new ArrayList<>();
        for (Stat s : stats) {
            k.add(s.key());
        }
        return String.join(",", k);
    }
}
