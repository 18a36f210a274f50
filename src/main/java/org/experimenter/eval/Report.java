package org.experimenter.eval;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;
import org.experimenter.ExperimenterException;
import org.experimenter.FieldType;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.config.TableNames;
import org.experimenter.grid.Parameter;
import org.experimenter.spark.SparkTables;
import org.experimenter.store.ExperimentStore;

/**
 * The reproducibility appendix of one experiment table (what ACL's and NeurIPS's checklists ask
 * for): configurations, seeds, runs and attempts, the search space, stages, the best configuration
 * per group with mean ± std over seeds, compute, infrastructure and code versions. Every number is
 * a Spark SQL aggregate over the table, its {@code __attempts} table and, where it exists, its
 * {@code __energy} table, read through JDBC as {@link Evaluation} reads them.
 *
 * <pre>{@code
 * Report.Appendix a = new Report(spark, config).by(List.of("dataset")).value("accuracy").collect();
 * System.out.print(ReportFormat.MARKDOWN.render(a));
 * }</pre>
 *
 * Columns and tables other parts of the tool add later are read when present: {@code stage} and
 * {@code parent_id} (follow-up stages), the provenance columns of the attempts table ({@code
 * code_version}, {@code code_dirty}, {@code runtime_version}, {@code packages}) and the energy
 * table ({@code energy_kwh}, {@code emissions_kg}, {@code gpu_energy_kwh}, {@code cpu_model},
 * {@code gpu_model}).
 */
public final class Report {
    /** Attempts that count against max-attempts: every outcome but {@code released}. */
    static final String COUNTED = "outcome <> 'released'";

    /** Means equal to this many digits after the point are a tie, won by the first configuration. */
    static final int TIE_DIGITS = 12;

    /** Outcomes of attempts that failed. */
    static final List<String> FAILED_OUTCOMES = List.of("exception", "exit", "oom", "timeout", "lost");

    /** A value and how many rows (or attempts) have it. */
    public record Count(String value, long n) {}

    /**
     * Rows and attempts: rows and distinct configurations (keyfield values other than the seeds),
     * distinct seed combinations, rows per status, attempts per outcome, rows with more than one
     * counted attempt.
     */
    public record Runs(
            long rows,
            long configurations,
            long seeds,
            List<String> seedFields,
            Map<String, Long> rowsByStatus,
            Map<String, Long> attemptsByOutcome,
            long retriedRows) {
        /** Attempts that counted: all but {@code released}. */
        public long attempts() {
            long n = 0;
            for (Map.Entry<String, Long> e : attemptsByOutcome.entrySet()) {
                n += e.getKey().equals("released") ? 0 : e.getValue();
            }
            return n;
        }

        /** Attempts that failed: an exception, System.exit, out of memory, a timeout or a lost executor. */
        public long failedAttempts() {
            long n = 0;
            for (String o : FAILED_OUTCOMES) {
                n += attemptsByOutcome.getOrDefault(o, 0L);
            }
            return n;
        }
    }

    /** One keyfield's values among the rows: type, how many, the smallest and largest, and the values (sorted). */
    public record Space(String keyfield, FieldType type, long distinct, Object min, Object max, List<Object> values) {}

    /** One stage (when the table has stages): rows, configurations, rows promoted from an earlier stage. */
    public record Stage(long stage, long rows, long configurations, long promoted) {}

    /**
     * Compute: CPU and wall time summed over the rows' last attempts; GPU hours, each counted
     * attempt's wall time (end minus start) times the GPUs it was given ({@code gpus=N} of the
     * attempts table's {@code resources}; none recorded: 0), summed; the first start and last end,
     * and energy and emissions summed from the energy table (null when it does not exist or lacks
     * the column).
     */
    public record Compute(
            double cpuHours,
            double wallHours,
            double gpuHours,
            Timestamp firstStart,
            Timestamp lastEnd,
            Double energyKwh,
            Double emissionsKg,
            Double gpuEnergyKwh) {}

    /** Where the attempts ran: hosts, executors (per Spark application), applications, models. */
    public record Infrastructure(
            List<Count> hosts,
            long executors,
            long sparkApplications,
            String sparkVersion,
            List<Count> cpuModels,
            List<Count> gpuModels) {}

    /**
     * The code versions of the done rows' successful attempts (null when the attempts table has no
     * provenance columns), each with the number of rows; runtime versions the same way.
     */
    public record Code(List<Count> versions, List<Count> runtimes, List<Count> packages) {}

    /** Everything the appendix says, for a {@link ReportFormat}. */
    public record Appendix(
            String table,
            String where,
            Long stage,
            Runs runs,
            List<Space> space,
            List<Stage> stages,
            String value,
            boolean lowerIsBetter,
            List<String> by,
            ResultTable best,
            Compute compute,
            Infrastructure infrastructure,
            Code code) {}

    private final SparkSession spark;
    private final ExperimentConfig config;
    private final ExperimentStore store;
    private List<String> over;
    private List<String> by = List.of();
    private String value;
    private boolean lowerIsBetter;
    private String where;
    private Long stage;

    public Report(SparkSession spark, ExperimentConfig config) {
        this.spark = spark;
        this.config = config;
        this.store = new ExperimentStore(config);
    }

    /** The keyfields that are seeds (aggregated over); by default {@code seed} when there is one. */
    public Report over(List<String> keyfields) {
        this.over = keyfields == null ? null : List.copyOf(keyfields);
        return this;
    }

    /** The keyfields whose groups each get their best configuration; none: one best overall. */
    public Report by(List<String> keyfields) {
        this.by = keyfields == null ? List.of() : List.copyOf(keyfields);
        return this;
    }

    /** The result field that ranks configurations; by default the first numeric one. */
    public Report value(String resultfield) {
        this.value = resultfield;
        return this;
    }

    public Report lowerIsBetter(boolean lower) {
        this.lowerIsBetter = lower;
        return this;
    }

    /** A {@code --where} condition narrowing the rows (the same rule as eval's); null for all. */
    public Report where(String condition) {
        this.where = condition == null || condition.isBlank() ? null : condition;
        return this;
    }

    /** Only the rows of this stage (the table must have stages); null for all. */
    public Report stage(Integer stage) {
        this.stage = stage == null ? null : stage.longValue();
        return this;
    }

    /** Runs the aggregates and collects the appendix. */
    public Appendix collect() {
        if (!store.tableExists()) {
            throw new ExperimenterException(
                    "table " + config.table() + " does not exist: fill and run it first (" + config.origin() + ")");
        }
        Evaluation eval = new Evaluation(spark, config).over(over);
        List<String> seeds = eval.overFields();
        List<String> groups = eval.groupFields();
        for (String b : by) {
            if (config.keyfield(b) == null) {
                throw new ExperimenterException(
                        "--by " + b + ": no such keyfield; the keyfields are " + config.keyfieldNames());
            }
            if (!groups.contains(b)) {
                throw new ExperimenterException("--by " + b + ": " + b + " is a seed (--over " + String.join(",", seeds)
                        + "); name a keyfield of " + groups);
            }
        }
        String ranked = value != null ? value : eval.resultFields().get(0);
        FieldType type = config.resultfields().get(ranked);
        if (type == null || !Evaluation.isNumeric(type)) {
            throw new ExperimenterException(
                    "--value " + ranked + ": " + (type == null ? "no such result field" : "not numeric")
                            + "; the numeric result fields are " + eval.resultFields());
        }

        List<String> columns = store.columnsOf(config.table());
        boolean staged = columns.contains("stage");
        if (stage != null && !staged) {
            throw new ExperimenterException("--stage " + stage + ": table " + config.table()
                    + " has no stages (no column stage: it was filled without follow-up stages)");
        }
        Dataset<Row> all = SparkTables.table(spark, config);
        if (where != null) {
            all = all.where(WhereColumn.of(store.where(where)));
        }
        Dataset<Row> rows =
                stage == null ? all : all.where(functions.col("stage").equalTo(stage));
        rows = rows.cache();
        Views v = null;
        try {
            spark.sparkContext().setJobDescription("experimenter report: table " + config.table());
            v = new Views(rows);
            Runs runs = runs(v, seeds, groups);
            List<Space> space = space(v);
            List<Stage> stages = staged ? stages(all, groups, columns.contains("parent_id")) : List.of();
            ResultTable best = best(eval, rows, ranked);
            Compute compute = compute(v);
            Infrastructure infra = infrastructure(v);
            Code code = code(v);
            return new Appendix(
                    config.table(),
                    where,
                    stage,
                    runs,
                    space,
                    stages,
                    ranked,
                    lowerIsBetter,
                    by,
                    best,
                    compute,
                    infra,
                    code);
        } finally {
            spark.sparkContext().setJobDescription(null);
            rows.unpersist();
            if (v != null) {
                v.cached.forEach(Dataset::unpersist);
                spark.catalog().dropTempView(v.rows);
                spark.catalog().dropTempView(v.attempts);
                if (v.energy != null) {
                    spark.catalog().dropTempView(v.energy);
                }
            }
        }
    }

    private static final AtomicLong VIEWS = new AtomicLong();

    /**
     * The temporary views the statements read, under names of this report's own: the chosen rows,
     * their attempts and (when the table exists) their energy rows. Only the tables of this config
     * are read; their names are checked identifiers.
     */
    private final class Views {
        final String prefix;
        final String rows;
        final String attempts;
        final List<String> attemptColumns;
        final String energy;
        final List<String> energyColumns;
        /** Read once each: every statement of the report reads them again otherwise. */
        final List<Dataset<Row>> cached = new ArrayList<>();

        Views(Dataset<Row> selected) {
            prefix = config.table() + "_report_" + VIEWS.incrementAndGet();
            rows = prefix + "_rows";
            selected.createOrReplaceTempView(rows);
            Dataset<Row> ids = selected.select(functions.col("id"));
            String attemptsTable = TableNames.attempts(config.table());
            attemptColumns = store.columnsOf(attemptsTable);
            attempts = prefix + "_attempts";
            cached.add(SparkTables.other(spark, config, attemptsTable)
                    .join(ids.withColumnRenamed("id", "experiment_id"), "experiment_id")
                    .cache());
            cached.get(0).createOrReplaceTempView(attempts);
            String energyTable = TableNames.energy(config.table());
            energyColumns = store.columnsOf(energyTable);
            if (energyColumns.contains("id")) {
                energy = prefix + "_energy";
                // the energy table keys its rows by the row's id; named as in the attempts table here
                cached.add(SparkTables.other(spark, config, energyTable)
                        .withColumnRenamed("id", "experiment_id")
                        .join(ids.withColumnRenamed("id", "experiment_id"), "experiment_id")
                        .cache());
                cached.get(1).createOrReplaceTempView(energy);
            } else {
                energy = null;
            }
        }
    }

    private Runs runs(Views v, List<String> seeds, List<String> groups) {
        String r = q(v.rows);
        Row counts = one("SELECT count(*), " + distinct(groups) + ", " + distinct(seeds) + " FROM " + r);
        Map<String, Long> byStatus = counts("SELECT status, count(*) FROM " + r + " GROUP BY status ORDER BY status");
        Map<String, Long> byOutcome =
                counts("SELECT outcome, count(*) FROM " + q(v.attempts) + " GROUP BY outcome ORDER BY outcome");
        Row retried = one("SELECT count(*) FROM (SELECT experiment_id FROM " + q(v.attempts) + " WHERE " + COUNTED
                + " GROUP BY experiment_id HAVING count(*) > 1) retried");
        return new Runs(
                counts.getLong(0),
                counts.getLong(1),
                counts.getLong(2),
                seeds,
                byStatus,
                byOutcome,
                retried.getLong(0));
    }

    /** count(DISTINCT a, b): Spark skips rows with a null among them, and keyfields are never null. */
    private static String distinct(List<String> fields) {
        if (fields.isEmpty()) {
            return "CASE WHEN count(*) > 0 THEN 1 ELSE 0 END";
        }
        List<String> quoted = new ArrayList<>();
        fields.forEach(f -> quoted.add(q(f)));
        return "count(DISTINCT " + String.join(", ", quoted) + ")";
    }

    private List<Space> space(Views v) {
        List<Space> out = new ArrayList<>();
        for (Parameter p : config.keyfields()) {
            List<Row> values = spark.sql("SELECT DISTINCT " + q(p.name()) + " FROM " + q(v.rows) + " ORDER BY 1")
                    .collectAsList();
            List<Object> list = new ArrayList<>();
            values.forEach(row -> list.add(row.get(0)));
            out.add(new Space(
                    p.name(),
                    p.type(),
                    list.size(),
                    list.isEmpty() ? null : list.get(0),
                    list.isEmpty() ? null : list.get(list.size() - 1),
                    list));
        }
        return out;
    }

    private List<Stage> stages(Dataset<Row> all, List<String> groups, boolean parents) {
        String view = config.table() + "_report_" + VIEWS.incrementAndGet() + "_stages";
        all.createOrReplaceTempView(view);
        try {
            List<Stage> out = new ArrayList<>();
            String sql = "SELECT stage, count(*), " + distinct(groups) + ", "
                    + (parents ? "count(parent_id)" : "0") + " FROM " + q(view)
                    + " GROUP BY stage ORDER BY stage";
            for (Row r : spark.sql(sql).collectAsList()) {
                out.add(new Stage(
                        r.isNullAt(0) ? 0 : ((Number) r.get(0)).longValue(),
                        r.getLong(1),
                        r.getLong(2),
                        ((Number) r.get(3)).longValue()));
            }
            return out;
        } finally {
            spark.catalog().dropTempView(view);
        }
    }

    /**
     * Per group of {@link #by}, the configuration with the best mean of the ranked field over the
     * seeds (ties, equal to {@link #TIE_DIGITS} digits: the first in keyfield order), with its std and count: eval's statistics.
     */
    private ResultTable best(Evaluation eval, Dataset<Row> rows, String ranked) {
        Dataset<Row> means = eval.from(rows)
                .fields(List.of(ranked))
                .stats(List.of(Stat.MEAN, Stat.STD, Stat.COUNT))
                .aggregate();
        String mean = ranked + "_" + Stat.MEAN.key();
        List<Column> order = new ArrayList<>();
        // means equal in exact arithmetic can differ in the last bits by the order of summation: a tie
        Column rounded = functions.round(functions.col(mean), TIE_DIGITS);
        order.add(lowerIsBetter ? rounded.asc_nulls_last() : rounded.desc_nulls_last());
        for (String g : eval.groupFields()) {
            order.add(functions.col(g).asc());
        }
        Dataset<Row> valued = means.where(functions.col(mean).isNotNull());
        Dataset<Row> best;
        if (by.isEmpty()) {
            // one best overall: a window without partitions would move every row to one task
            best = valued.orderBy(order.toArray(new Column[0])).limit(1);
        } else {
            List<Column> partition = new ArrayList<>();
            by.forEach(b -> partition.add(functions.col(b)));
            Column rank = functions
                    .row_number()
                    .over(Window.partitionBy(partition.toArray(new Column[0])).orderBy(order.toArray(new Column[0])));
            best = valued.withColumn("report_rank", rank)
                    .where(functions.col("report_rank").equalTo(1))
                    .drop("report_rank")
                    .orderBy(partition.toArray(new Column[0]));
        }
        return ResultTable.of(best).withMerged(mean, ranked + "_" + Stat.STD.key(), ranked);
    }

    private Compute compute(Views v) {
        Row t = one("SELECT sum(cpu_time), sum(wall_time), min(start_date), max(end_date) FROM " + q(v.rows));
        double gpuHours = 0;
        if (v.attemptColumns.contains("resources")) {
            // resources as RowSequence.describe writes it: "gpus=1 cpus=2 memory=8g gpu-addresses=0"; the
            // seconds between two timestamps as Spark counts them (fractions kept)
            Row g = one("SELECT sum((unix_micros(end_date) - unix_micros(start_date)) / 1e6 * coalesce(cast(nullif("
                    + "regexp_extract(resources, '(^| )gpus=([0-9]+)', 2), '') AS int), 0)) FROM " + q(v.attempts)
                    + " WHERE " + COUNTED + " AND start_date IS NOT NULL AND end_date IS NOT NULL");
            gpuHours = g.isNullAt(0) ? 0 : ((Number) g.get(0)).doubleValue() / 3600;
        }
        Double energy = null;
        Double emissions = null;
        Double gpu = null;
        if (v.energy != null) {
            energy = sumOf(v, "energy_kwh");
            emissions = sumOf(v, "emissions_kg");
            gpu = sumOf(v, "gpu_energy_kwh");
        }
        return new Compute(
                t.isNullAt(0) ? 0 : ((Number) t.get(0)).doubleValue() / 3600,
                t.isNullAt(1) ? 0 : ((Number) t.get(1)).doubleValue() / 3600,
                gpuHours,
                t.isNullAt(2) ? null : t.getTimestamp(2),
                t.isNullAt(3) ? null : t.getTimestamp(3),
                energy,
                emissions,
                gpu);
    }

    private Double sumOf(Views v, String column) {
        if (!v.energyColumns.contains(column)) {
            return null;
        }
        Row r = one("SELECT sum(" + q(column) + ") FROM " + q(v.energy));
        return r.isNullAt(0) ? 0.0 : ((Number) r.get(0)).doubleValue();
    }

    private Infrastructure infrastructure(Views v) {
        String a = q(v.attempts);
        List<Count> hosts = valueCounts("SELECT machine, count(*) FROM " + a + " WHERE " + COUNTED
                + " AND machine IS NOT NULL GROUP BY machine ORDER BY machine");
        Row n = one("SELECT count(DISTINCT spark_app, executor), count(DISTINCT spark_app) FROM " + a + " WHERE "
                + COUNTED);
        List<Count> cpus = List.of();
        List<Count> gpus = List.of();
        if (v.energy != null) {
            cpus = modelCounts(v, "cpu_model");
            gpus = modelCounts(v, "gpu_model");
        }
        return new Infrastructure(hosts, n.getLong(0), n.getLong(1), spark.version(), cpus, gpus);
    }

    private List<Count> modelCounts(Views v, String column) {
        if (!v.energyColumns.contains(column)) {
            return List.of();
        }
        return valueCounts("SELECT " + q(column) + ", count(DISTINCT experiment_id) FROM " + q(v.energy) + " WHERE "
                + q(column) + " IS NOT NULL GROUP BY 1 ORDER BY 1");
    }

    private Code code(Views v) {
        if (!v.attemptColumns.contains("code_version")) {
            return null;
        }
        // each done row once, by the attempt that made it done: its last done one (a reset row run
        // again numbers its attempts from 1 again, and the earlier ones stay in the attempts table);
        // found once, by a window, for the three counts below (one attempt per row: count(*) counts rows)
        Dataset<Row> lastDone = spark.sql("SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY experiment_id"
                        + " ORDER BY id DESC) AS report_last FROM " + q(v.attempts) + " WHERE outcome = 'done') a"
                        + " WHERE report_last = 1 AND experiment_id IN (SELECT id FROM " + q(v.rows)
                        + " WHERE status = 'done')")
                .cache();
        v.cached.add(lastDone);
        String view = v.prefix + "_done";
        lastDone.createOrReplaceTempView(view);
        try {
            return code(v, " FROM " + q(view));
        } finally {
            spark.catalog().dropTempView(view);
        }
    }

    private Code code(Views v, String done) {
        String dirty = v.attemptColumns.contains("code_dirty")
                ? "concat(coalesce(code_version, 'not recorded'), CASE WHEN cast(code_dirty AS string) IN ('true',"
                        + " '1', 't') THEN ' (dirty)' ELSE '' END)"
                : "coalesce(code_version, 'not recorded')";
        List<Count> versions = valueCounts("SELECT " + dirty + ", count(*)" + done + " GROUP BY 1 ORDER BY 1");
        List<Count> runtimes = v.attemptColumns.contains("runtime_version")
                ? valueCounts(
                        "SELECT coalesce(runtime_version, 'not recorded'), count(*)" + done + " GROUP BY 1 ORDER BY 1")
                : List.of();
        List<Count> packages = v.attemptColumns.contains("packages")
                ? valueCounts("SELECT packages, count(*)" + done + " WHERE packages IS NOT NULL GROUP BY 1 ORDER BY 1")
                : List.of();
        return new Code(versions, runtimes, packages);
    }

    private Row one(String sql) {
        return spark.sql(sql).collectAsList().get(0);
    }

    private Map<String, Long> counts(String sql) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Row r : spark.sql(sql).collectAsList()) {
            out.put(String.valueOf(r.get(0)), r.getLong(1));
        }
        return out;
    }

    private List<Count> valueCounts(String sql) {
        List<Count> out = new ArrayList<>();
        counts(sql).forEach((k, n) -> out.add(new Count(k, n)));
        return out;
    }

    private static String q(String identifier) {
        return Evaluation.quote(identifier);
    }
}
