package org.experimenter;

import java.io.ByteArrayOutputStream;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.config.HalvingSettings;
import org.experimenter.eval.Evaluation;
import org.experimenter.eval.Exporter;
import org.experimenter.eval.Plotter;
import org.experimenter.eval.ResultTable;
import org.experimenter.eval.SqlErrors;
import org.experimenter.grid.Grid;
import org.experimenter.grid.Parameter;
import org.experimenter.spark.ExperimentLoader;
import org.experimenter.spark.RunJob;
import org.experimenter.spark.SparkTables;
import org.experimenter.spark.TaskResources;
import org.experimenter.store.ExperimentStore;
import org.experimenter.store.Promotions;

/**
 * The entry point: load a config, fill its table, run experiments on Spark, evaluate.
 *
 * <pre>{@code
 * Experimenter ex = Experimenter.load(Path.of("conf/example.conf"));
 * ex.fill();
 * RunSummary summary = ex.run(spark, ctx -> ctx.results().put("score", 1.0));
 * ex.evaluate(spark, List.of("seed")).show();
 * }</pre>
 *
 * From {@code spark-submit}, call it from your own main with the active SparkSession, or use
 * the command line ({@code org.experimenter.cli.Main}).
 */
public final class Experimenter {
    private final ExperimentConfig config;
    private final ExperimentStore store;

    private Experimenter(ExperimentConfig config) {
        this.config = config;
        this.store = new ExperimentStore(config);
    }

    /** Loads and validates a HOCON config file. */
    public static Experimenter load(Path configFile) {
        return new Experimenter(ExperimentConfig.load(configFile));
    }

    public static Experimenter of(ExperimentConfig config) {
        return new Experimenter(config);
    }

    public ExperimentConfig config() {
        return config;
    }

    /** Creates the tables when missing; checks that an existing table matches the config. */
    public void createTable() {
        store.createTableIfMissing();
    }

    /**
     * Creates the table when missing (checking an existing one) and inserts the grid's new rows.
     * With a halving section, every configuration starts at the first rung: the budget keyfield
     * takes {@code halving.min}; with several Hyperband brackets, each bracket takes its share of
     * the configurations at its own first rung ({@link org.experimenter.store.Halving#fill}).
     */
    public long fill() {
        for (Parameter p : grid().parameters()) {
            if (p.values().isEmpty()) {
                throw new ExperimenterException("keyfield " + p.name() + " has no values in " + config.origin()
                        + ", so there is no grid to fill; add its rows with fill --combinations or fill --from");
            }
        }
        store.createTableIfMissing();
        // with a halving section: at the first rung, and with several brackets dealt out to them
        return config.halving() == null
                ? store.fill(grid().iterator())
                : store.halving().fill(grid().iterator());
    }

    /** The grid fill inserts: the config's, with a halving run's budget at its first rung. */
    public Grid grid() {
        HalvingSettings h = config.halving();
        if (h == null) {
            return config.grid();
        }
        List<Parameter> params = new ArrayList<>();
        for (Parameter p : config.keyfields()) {
            params.add(p.name().equals(h.field()) ? new Parameter(p.name(), p.type(), List.of(h.budgetValue(0))) : p);
        }
        return new Grid(params);
    }

    /**
     * Adds explicit rows, each a map from keyfield name to value; rows the table already has
     * are skipped. Returns the number of new rows.
     */
    public long addRows(List<Map<String, ?>> rows) {
        List<Object[]> values = new ArrayList<>();
        int n = 0;
        for (Map<String, ?> row : rows) {
            n++;
            for (String k : row.keySet()) {
                if (config.keyfield(k) == null) {
                    throw new ExperimenterException("row " + n + ": '" + k + "' is not a keyfield; the keyfields are "
                            + config.keyfieldNames());
                }
            }
            Object[] v = new Object[config.keyfields().size()];
            for (int i = 0; i < v.length; i++) {
                Parameter p = config.keyfields().get(i);
                if (!row.containsKey(p.name())) {
                    throw new ExperimenterException("row " + n + ": keyfield '" + p.name() + "' has no value");
                }
                v[i] = row.get(p.name());
            }
            values.add(v);
        }
        store.createTableIfMissing();
        Iterator<Object[]> it = values.iterator();
        return store.fill(it);
    }

    /** Runs the open rows with the experiment class named in the config. */
    public RunSummary run(SparkSession spark) {
        return run(spark, experimentFromConfig(), RunOptions.all().maxExperiments(config.maxExperiments()));
    }

    /** Runs the open rows with the given experiment function. */
    public RunSummary run(SparkSession spark, Experiment experiment) {
        return run(spark, experiment, RunOptions.all().maxExperiments(config.maxExperiments()));
    }

    /**
     * Runs open rows with the given experiment.
     *
     * @param where an SQL condition over keyfields and ids narrowing which rows run, or null
     * @param maxExperiments at most this many rows, in id order; 0 for all
     */
    public RunSummary run(SparkSession spark, Experiment experiment, String where, long maxExperiments) {
        return run(spark, experiment, RunOptions.all().where(where).maxExperiments(maxExperiments));
    }

    /**
     * Runs the open rows the options select, in the order they give. With a halving section,
     * rows are promoted before and after each pass (sync: complete rungs are cut; async: rows
     * that make their rung's cut, which workers also promote before each claim), and passes
     * repeat while promotions add rows (not when the options limit the experiments or name ids:
     * one pass then).
     */
    public RunSummary run(SparkSession spark, Experiment experiment, RunOptions options) {
        checkSerializable(experiment, experiment.getClass().getName());
        // before any row runs: a later stage's GPUs would stop the run only when its turn came
        TaskResources.checkMaster(config, options.stage(), spark.sparkContext().master());
        if (options.stage() != null || config.stageResources().isEmpty()) {
            // a run of one stage gets that stage's resources (stages { 2 { resources { ... } } })
            return runScope(spark, experiment, options, config.forStage(options.stage()), Set.of())
                    .summary();
        }
        // a run of every stage: rows follow their stage's resources. The rows of the stages without a
        // section of their own run first, with the top-level resources; then each stage with one, as
        // a run of that stage (a Spark stage with its resource profile)
        Set<Integer> own = new TreeSet<>(config.stageResources().keySet());
        Pass pass = runScope(spark, experiment, options, config, own);
        RunSummary summary = pass.summary();
        for (int stage : own) {
            if (pass.stopped()) {
                break;
            }
            RunOptions next = options.stage(stage);
            if (options.maxExperiments() > 0) {
                long left = options.maxExperiments() - summary.total();
                if (left <= 0) {
                    break;
                }
                next = next.maxExperiments(left);
            }
            pass = runScope(spark, experiment, next, config.forStage(stage), Set.of());
            summary = pass.summary().after(summary);
        }
        return summary;
    }

    /** One run's summary, and whether it was stopped (Ctrl-C, SIGTERM): nothing more may start after it. */
    private record Pass(RunSummary summary, boolean stopped) {}

    /** The rows the options select, less those of the stages left out, with one config's resources. */
    private Pass runScope(
            SparkSession spark,
            Experiment experiment,
            RunOptions options,
            ExperimentConfig runConfig,
            Set<Integer> leftOut) {
        if (config.halving() == null) {
            RunJob job = new RunJob(spark, runConfig).leavingOutStages(leftOut);
            return new Pass(job.run(experiment, options), job.stopped());
        }
        // the job promotes rows of its scope before its first round (async: the workers promote as they
        // claim); what is promotable when a round ends starts another
        boolean once = options.maxExperiments() > 0 || !options.ids().isEmpty();
        RunJob job = new RunJob(spark, runConfig).leavingOutStages(leftOut);
        RunSummary summary = (once ? job : job.promotingBetweenRounds()).run(experiment, options);
        // a job promoting between its rounds ends right after a promotion that left nothing of the scope
        // to run; one that ran part of the scope promotes what its rows completed, and runs none of it;
        // a stopped run (Ctrl-C, SIGTERM) promotes nothing more
        if (once && !job.stopped()) {
            job.promoteInScope();
        }
        return new Pass(summary, job.stopped());
    }

    /**
     * Promotes what a halving run can promote now: cuts the complete rungs not cut yet (sync), or
     * promotes every row that makes its rung's cut (async); safe to repeat and beside other
     * drivers. Returns how many rows it added.
     */
    public int halve() {
        if (config.halving() == null) {
            throw new InvalidConfigException(config.origin() + ": no halving section; nothing to halve");
        }
        store.createTableIfMissing();
        return store.halving().promote();
    }

    /**
     * Adds the row with these keyfield values if it is missing and runs it now, in this
     * process, without Spark (for experiments launched by an external scheduler such as a
     * Slurm array). Values are text, parsed as the keyfields' types. Returns the row as written;
     * a row that is already done, error or paused is returned as it is, not run again.
     */
    public Map<String, Object> runOne(Map<String, String> values, Experiment experiment) {
        for (String k : values.keySet()) {
            if (config.keyfield(k) == null) {
                throw new ExperimenterException(
                        "--set " + k + ": no such keyfield; the keyfields are " + config.keyfieldNames());
            }
        }
        Object[] keys = new Object[config.keyfields().size()];
        for (int i = 0; i < keys.length; i++) {
            Parameter p = config.keyfields().get(i);
            String text = values.get(p.name());
            if (text == null) {
                throw new ExperimenterException("--set " + p.name()
                        + "=...: missing; run-one needs a value for every keyfield " + config.keyfieldNames());
            }
            try {
                keys[i] = p.type().parse(text);
            } catch (IllegalArgumentException e) {
                throw new ExperimenterException("--set " + p.name() + "=" + text + ": " + e.getMessage());
            }
        }
        store.createTableIfMissing();
        store.fill(List.<Object[]>of(keys).iterator());
        long id = store.idOf(keys);
        Map<String, Object> row = store.row(id);
        if (!Status.CREATED.dbName().equals(row.get("status"))) {
            return row;
        }
        checkSerializable(experiment, experiment.getClass().getName());
        String runId = "run-one-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        // the row's stage may have resources of its own (a row promote added, named by its keyfields)
        ExperimentConfig rowConfig = config.forStage(stageOf(row));
        ExperimentStore rowStore = rowConfig == config ? store : new ExperimentStore(rowConfig);
        try (org.experimenter.spark.Worker w = new org.experimenter.spark.Worker(
                rowStore,
                experiment,
                runId,
                "run-one-" + ProcessHandle.current().pid(),
                null)) {
            w.runCandidates(List.of(new org.experimenter.store.ClaimedRow(id, keys)));
        }
        return store.row(id);
    }

    /** A row's stage (1, the grid, for a row read without the column). */
    static int stageOf(Map<String, Object> row) {
        Object stage = row.get("stage");
        return stage == null ? 1 : ((Number) stage).intValue();
    }

    /**
     * Runs the stored row {@code id} again, alone, in this process ({@link #runOne} semantics)
     * with its stored keyfield values, the config's custom section and the given experiment, in a
     * scratch table of its own: the stored row is not touched. Returns both rows side by side.
     */
    public Reproduction.Result reproduce(long id, Experiment experiment) {
        checkSerializable(experiment, experiment.getClass().getName());
        return Reproduction.run(config, id, experiment);
    }

    /**
     * Writes results and log rows for a running experiment by its id, from another thread or
     * process. Throws naming the id when it does not exist or is not running.
     */
    public Attachment attach(long id) {
        Map<String, Object> row = store.row(id);
        if (!Status.RUNNING.dbName().equals(row.get("status"))) {
            throw new ExperimenterException("experiment " + id + " of " + config.table() + " is " + row.get("status")
                    + ", not running; cannot attach");
        }
        Map<String, Object> params = new java.util.LinkedHashMap<>();
        for (Parameter p : config.keyfields()) {
            params.put(p.name(), row.get(p.name()));
        }
        org.experimenter.spark.RowContext ctx =
                new org.experimenter.spark.RowContext(store, id, null, new Parameters(params), () -> false);
        return new Attachment() {
            @Override
            public ResultWriter results() {
                return ctx;
            }

            @Override
            public void log(String logtable, Map<String, ?> values) {
                ctx.log(logtable, values);
            }

            @Override
            public void close() {
                try {
                    ctx.flush();
                } finally {
                    ctx.close();
                }
            }
        };
    }

    /**
     * Adds rows from a CSV file (a header naming the keyfields) or a JSON file (an array of
     * objects, or one object per line). Rows the table already has are skipped. Errors name the
     * file, line and field; nothing is inserted then.
     */
    public long fillFromFile(Path file) {
        List<Map<String, ?>> rows = org.experimenter.config.RowFiles.read(file, config);
        return addRows(rows);
    }

    /**
     * A conditional grid: each fixed combination (values for some keyfields) crossed with the
     * values of the remaining keyfields, taken from {@code grid} where given, else from the
     * config. Returns the number of new rows.
     */
    public long fillCombinations(List<Map<String, ?>> fixed, Map<String, List<?>> grid) {
        List<Map<String, ?>> rows = new ArrayList<>();
        for (Map<String, ?> f : fixed) {
            for (String k : f.keySet()) {
                if (config.keyfield(k) == null) {
                    throw new ExperimenterException("combination " + f + ": '" + k
                            + "' is not a keyfield; the keyfields are " + config.keyfieldNames());
                }
            }
            // the keyfields the combination leaves open take every value of grid (or of the config)
            List<Parameter> open = new ArrayList<>();
            for (Parameter p : config.keyfields()) {
                if (f.containsKey(p.name())) {
                    continue;
                }
                List<?> values = grid.containsKey(p.name()) ? grid.get(p.name()) : p.values();
                if (values.isEmpty()) {
                    throw new ExperimenterException("combination " + f + ": no value for keyfield '" + p.name()
                            + "': give it in the combination or in grid (it has no values in " + config.origin()
                            + ")");
                }
                open.add(new Parameter(p.name(), p.type(), new ArrayList<Object>(values)));
            }
            for (Object[] values : new Grid(open)) {
                Map<String, Object> row = new java.util.LinkedHashMap<>(f);
                for (int i = 0; i < values.length; i++) {
                    row.put(open.get(i).name(), values[i]);
                }
                rows.add(row);
            }
        }
        for (String k : grid.keySet()) {
            if (config.keyfield(k) == null) {
                throw new ExperimenterException(
                        "grid: '" + k + "' is not a keyfield; the keyfields are " + config.keyfieldNames());
            }
        }
        return addRows(rows);
    }

    /** Row counts per status. */
    public Map<Status, Long> status() {
        store.createTableIfMissing();
        return store.counts();
    }

    /** Returns the rows of the given statuses to created, clearing results and errors; ids are kept. */
    public int reset(Set<Status> statuses) {
        return reset(statuses, false);
    }

    /** The same; keepArtifacts leaves the rows' artifact folders and their listings in place. */
    public int reset(Set<Status> statuses, boolean keepArtifacts) {
        store.createTableIfMissing();
        return store.admin(keepArtifacts).reset(statuses);
    }

    /** Returns the given rows to created, clearing results and errors; ids and attempt history are kept. */
    public int resetIds(List<Long> ids) {
        return resetIds(ids, false);
    }

    /** The same; keepArtifacts leaves the rows' artifact folders and their listings in place. */
    public int resetIds(List<Long> ids, boolean keepArtifacts) {
        store.createTableIfMissing();
        return store.admin(keepArtifacts).resetIds(ids);
    }

    /**
     * Returns rows matching a condition over the table's columns to created: one boolean
     * expression in Spark SQL's grammar (see {@code --where} in the README), nothing else.
     */
    public int resetWhere(String condition) {
        return resetWhere(condition, false);
    }

    /** The same; keepArtifacts leaves the rows' artifact folders and their listings in place. */
    public int resetWhere(String condition, boolean keepArtifacts) {
        store.createTableIfMissing();
        return store.admin(keepArtifacts).resetWhere(store.where(condition));
    }

    /**
     * Returns paused rows (all when ids is empty) to created, optionally with another
     * experiment class (checked here) for their next run.
     */
    public int unpause(List<Long> ids, String experimentClass) {
        store.createTableIfMissing();
        if (experimentClass != null && !experimentClass.isEmpty()) {
            loadExperiment(experimentClass, "--experiment-class: ");
        }
        return store.admin().unpause(ids, experimentClass);
    }

    /**
     * A follow-up stage: per group of the {@code by} keyfields, the {@code top} configurations of
     * stage {@code fromStage} with the best mean of {@code value} over their done rows (those
     * matching {@code where} as well, null for all) get new rows at the next stage, one per value
     * of {@code setField}. Promoting twice adds nothing; values a chosen configuration has used at
     * another stage are refused, naming them, before anything is written.
     *
     * @param dryRun plan only, add nothing
     * @return the plan, and how many rows were added (0 for a dry run)
     */
    public Promoted promote(
            List<String> by,
            int top,
            String value,
            boolean lowerIsBetter,
            String where,
            int fromStage,
            String setField,
            List<Object> setValues,
            boolean dryRun) {
        store.createTableIfMissing();
        Promotions p = store.promotions();
        Promotions.Plan plan = p.plan(new Promotions.Request(
                by, top, value, lowerIsBetter, store.where(where, fromStage), fromStage, setField, setValues));
        return new Promoted(plan, dryRun ? 0 : p.add(plan));
    }

    /** What {@link #promote} planned and how many rows it added. */
    public record Promoted(Promotions.Plan plan, long added) {}

    /** Returns lost running rows (heartbeat older than the lease) to created, or error when out of attempts. */
    public Recovery recover() {
        store.createTableIfMissing();
        return store.recover();
    }

    /** Drops the experiment table and its artifact folders; false when there was no table. */
    public boolean drop() {
        return drop(false);
    }

    /**
     * Drops the experiment table, and with it {@code <root>/<table>} of {@code artifacts.root}
     * unless keepArtifacts; false when there was no table.
     */
    public boolean drop(boolean keepArtifacts) {
        boolean dropped = store.drop();
        if (!keepArtifacts && config.artifactRoot() != null) {
            config.artifactRoot().removeTable(config.table());
        }
        return dropped;
    }

    /** Means, standard deviations and counts of the results of done rows, grouped over the given keyfields. */
    public Dataset<Row> evaluate(SparkSession spark, List<String> over) {
        return new Evaluation(spark, config).over(over).aggregate();
    }

    /**
     * An evaluation to configure: which keyfields to aggregate over, which statistics, a filter,
     * a pivot form. {@code ex.evaluation(spark).over(List.of("seed")).collect()}
     */
    public Evaluation evaluation(SparkSession spark) {
        return new Evaluation(spark, config).countingWith(store);
    }

    /**
     * Runs Spark SQL with the experiment table and its log tables (tables named {@code
     * <table>__<log>}) registered as views named like the tables.
     */
    public Dataset<Row> sql(SparkSession spark, String query) {
        SparkTables.registerViews(spark, config);
        return SqlErrors.translate("", () -> spark.sql(query));
    }

    /**
     * Writes the experiment table and its log tables to {@code dir}, one Parquet or CSV file per
     * table named like the table, for pandas and notebooks.
     *
     * @param where a Spark SQL condition narrowing the experiment table's rows, or null
     */
    public List<Exporter.Written> export(SparkSession spark, Path dir, Exporter.Format format, String where) {
        return new Exporter(spark, config).export(dir, format, where);
    }

    /** The same, the experiment table's rows narrowed to one stage as well (null for all). */
    public List<Exporter.Written> export(
            SparkSession spark, Path dir, Exporter.Format format, String where, Integer stage) {
        return new Exporter(spark, config).export(dir, format, where, stage);
    }

    /**
     * A plot of a result field against a numeric keyfield: {@code
     * ex.plotter(spark).x("k").y("accuracy").write(path)}.
     */
    public Plotter plotter(SparkSession spark) {
        return new Plotter(spark, config);
    }

    /** The experiment table as a Spark DataFrame (notebooks). */
    public Dataset<Row> table(SparkSession spark) {
        return SparkTables.table(spark, config);
    }

    /** Collects a small result (an evaluation) for formatting. */
    public static ResultTable collect(Dataset<Row> df) {
        return ResultTable.of(df);
    }

    /**
     * The experiment the config names: its command (run once per row), its Python function (called
     * once per row by long-lived workers), or an instance of its
     * experiment class, checked to exist, implement {@link Experiment}, have a public no-argument
     * constructor and be serializable.
     */
    public Experiment experimentFromConfig() {
        if (config.command() != null) {
            return new org.experimenter.process.CommandExperiment(config);
        }
        if (config.python() != null) {
            return new org.experimenter.python.PythonExperiment(config);
        }
        String name = config.experimentClass();
        String key = config.origin() + ": experiment-class: ";
        if (name.isEmpty()) {
            throw new InvalidConfigException(key + "missing; name a class implementing " + Experiment.class.getName()
                    + ", a command: experiment { command = [...] }, or a Python function: experiment { python {"
                    + " function = \"train.py:run_ml\" } }");
        }
        return loadExperiment(name, key);
    }

    private Experiment loadExperiment(String name, String key) {
        Experiment e;
        try {
            e = ExperimentLoader.load(name);
        } catch (ExperimentLoader.NotLoadable ex) {
            throw new InvalidConfigException(key + ex.getMessage(), ex.getCause());
        }
        checkSerializable(e, name);
        return e;
    }

    private void checkSerializable(Experiment e, String name) {
        try (ObjectOutputStream out = new ObjectOutputStream(new ByteArrayOutputStream())) {
            out.writeObject(e);
        } catch (NotSerializableException ex) {
            throw new InvalidConfigException(
                    config.origin() + ": experiment-class: " + name + " is not serializable: it holds a "
                            + ex.getMessage() + " (mark the field transient or make it Serializable)");
        } catch (java.io.IOException ex) {
            throw new InvalidConfigException(
                    config.origin() + ": experiment-class: " + name + " cannot be serialized: " + ex);
        }
    }
}
