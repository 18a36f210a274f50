package org.experimenter.spark;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.apache.spark.SparkJobInfo;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.SparkStatusTracker;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.resource.ResourceProfile;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.experimenter.Experiment;
import org.experimenter.ExperimenterException;
import org.experimenter.Recovery;
import org.experimenter.RunOptions;
import org.experimenter.RunSummary;
import org.experimenter.Status;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.config.HalvingSettings;
import org.experimenter.process.ShellVariables;
import org.experimenter.store.ExperimentStore;
import org.experimenter.store.OpenRows;
import org.experimenter.store.RunQueries;
import org.experimenter.store.RunScope;
import org.experimenter.store.RunningRow;
import org.experimenter.store.Where;
import scala.Option;

/**
 * The driver side of a run: recovers lost rows, reads the open rows of its {@link RunScope} (a
 * small run with one JDBC query, a large one through Spark JDBC in ranges), hands each
 * partition to a {@link PartitionTask} on the executors, and summarizes the
 * run with Spark SQL. Rows lost by an executor that died are recovered when their lease
 * expires and run in a further round of the same run. On Ctrl-C or SIGTERM the tasks are
 * cancelled: running experiments get {@code shutdown-grace} to finish, claimed rows not
 * started go back to created.
 */
public final class RunJob {
    private static final Logger LOG = Logger.getLogger(RunJob.class.getName());
    /**
     * Our stop hook is registered with Hadoop's shutdown hook manager, above the single hook
     * through which Spark runs all of its own (priority 40, which stops the SparkContext). Hadoop
     * gives that hook 30 s in all (hadoop.service.shutdown.timeout); ours gets its own time limit,
     * long enough for the grace period.
     */
    private static final int SHUTDOWN_PRIORITY = 50;

    /**
     * The open rows are read in at most this many partitions: each is a connection Spark opens
     * for itself, outside the pool, so a run of hundreds of tasks does not open hundreds at once.
     */
    private static final int READ_PARTITIONS = 2;

    private final SparkSession spark;
    private final ExperimentConfig config;
    private final ExperimentStore store;
    private final int driverReadLimit;
    private volatile boolean stopping;
    private boolean promoteBetweenRounds;
    /** The scope of the last {@link #run}, for {@link #promoteInScope}. */
    private RunScope lastScope;
    /** The run stage's resource profile (the rows' GPUs and cores), or null for Spark's default. */
    private ResourceProfile rowProfile;
    /** Stages whose rows this run leaves to runs of their own (they have resources of their own). */
    private java.util.Set<Integer> otherStages = java.util.Set.of();

    public RunJob(SparkSession spark, ExperimentConfig config) {
        this(spark, config, SMALL_READ);
    }

    /** A run whose rounds of more than {@code driverReadLimit} open rows read them through Spark's JDBC source. */
    RunJob(SparkSession spark, ExperimentConfig config, int driverReadLimit) {
        this.spark = spark;
        this.config = config;
        this.store = new ExperimentStore(config);
        this.driverReadLimit = driverReadLimit;
    }

    /**
     * With a halving section: after each round, promote what the finished rows allow (sync: cut
     * the complete rungs; async: what a worker did not promote) and run the new rows as another
     * round of the same run. A rung then costs a Spark job, not a run (table check, recovery,
     * progress, summary).
     */
    public RunJob promotingBetweenRounds() {
        if (config.halving() == null) {
            throw new IllegalStateException("no halving section to promote by; this is a bug");
        }
        this.promoteBetweenRounds = true;
        return this;
    }

    /**
     * Leaves the rows of these stages out of the run: a run of every stage runs the rows of a
     * stage with resources of its own ({@code stages { 2 { resources { ... } } }}) as a run of that
     * stage, with them.
     */
    public RunJob leavingOutStages(java.util.Set<Integer> stages) {
        this.otherStages = java.util.Set.copyOf(stages);
        return this;
    }

    /** Whether the last {@link #run} was stopped (Ctrl-C, SIGTERM): nothing more may start after it. */
    public boolean stopped() {
        return stopping;
    }

    /** With a halving section: promotes what rows of the last run's scope allow now; the rows added. */
    public int promoteInScope() {
        if (lastScope == null) {
            throw new IllegalStateException("promoteInScope before run; this is a bug");
        }
        return store.halving().promote(lastScope);
    }

    public RunSummary run(Experiment experiment, RunOptions options) {
        long started = System.nanoTime();
        String master = spark.sparkContext().master();
        TaskResources.checkMaster(config.resources().base(), master, config.origin());
        boolean dynamic = spark.sparkContext().conf().getBoolean("spark.dynamicAllocation.enabled", false);
        String memoryNote = TaskResources.memoryNote(config.resources().base(), master, dynamic);
        if (memoryNote != null) {
            LOG.info(memoryNote);
        }
        if (TaskResources.profileSupported(master)) {
            rowProfile = TaskResources.profile(
                    config.resources().base(),
                    TaskResources.executorProfiles(master, dynamic),
                    spark.sparkContext().conf().get("spark.executor.resource.gpu.discoveryScript", ""));
        } else if (config.resources().base().cpus() != 1
                || config.resources().base().gpus() > 0) {
            LOG.info("resources: Spark's " + master + " takes no stage-level resource profile, so every task of"
                    + " this session asks for the rows' cores and GPUs (spark.task.cpus, spark.task.resource.gpu.amount),"
                    + " not only the tasks that run rows");
        }
        // on the driver, where the user's work tree is; executors get it with the store
        store.provenanceFor(experiment.getClass());
        store.createTableIfMissing();
        Recovery rec = store.recover();
        if (rec.requeued() + rec.failed() > 0) {
            LOG.info("recovered lost rows of " + config.table() + ": " + rec.requeued() + " back to created, "
                    + rec.failed() + " out of attempts");
        }
        String runId = spark.sparkContext().applicationId() + "-"
                + UUID.randomUUID().toString().substring(0, 8);
        RunScope scope = scope(options);
        lastScope = scope;
        CountDownLatch done = new CountDownLatch(1);
        Runnable hook = () -> stopGracefully(runId, done);
        org.apache.hadoop.util.ShutdownHookManager.get()
                .addShutdownHook(hook, SHUTDOWN_PRIORITY, config.shutdownGrace().toSeconds() + 60, TimeUnit.SECONDS);
        ScheduledExecutorService recovery = startRecovery();
        Progress progress = Progress.start(store, runId, scope);
        RunSummary summary;
        OtherRuns others = new OtherRuns();
        try {
            int round = 0;
            while (!stopping) {
                if (config.halving() != null && (round == 0 || promoteBetweenRounds)) {
                    // only rows of the scope: a scoped run neither promotes nor runs rows outside it
                    store.halving().promote(scope);
                    if (stopping) {
                        break; // stopped while it cut: the cut stands, but no round starts after it
                    }
                }
                OpenRows open = store.runs().openRows(scope);
                if (open == null) {
                    long held = store.runs().heldBy(runId);
                    if (held == 0) {
                        if (others.allAlive(store.runs().runningElsewhere(scope, runId))) {
                            break;
                        }
                        // rows of the scope held by another run: alive if their heartbeats advance, else
                        // lost (a driver killed just before this run started): recovered when their lease
                        // expires, then run here
                        sleep(config.recoveryInterval().toMillis());
                        store.recover();
                        continue;
                    }
                    // an executor died holding rows: wait until their lease expires, then run them again
                    LOG.warning(held + " rows of " + config.table()
                            + " are held by lost executors of this run; waiting for their lease to expire");
                    sleep(config.recoveryInterval().toMillis());
                    store.recover();
                    continue;
                }
                round++;
                runRound(experiment, runId, scope, open, round);
            }
            if (stopping) {
                awaitReleased(runId);
            }
            summary = summarize(runId, started).withHeldElsewhere(others.alive());
            if (stopping) {
                OpenRows left = store.runs().openRows(scope);
                summary = summary.stoppedLeaving(left == null ? 0 : left.count());
            }
        } finally {
            progress.close();
            recovery.shutdownNow();
            spark.sparkContext().setJobDescription(null);
            done.countDown();
            if (!stopping) {
                org.apache.hadoop.util.ShutdownHookManager.get().removeShutdownHook(hook);
            }
        }
        return summary;
    }

    /**
     * The rows of a run's scope that other runs hold, watched once the run has nothing else to
     * do: a row whose heartbeat advances belongs to a live run, which will finish it, and is no
     * longer waited for; the others are waited for until recovery returns them.
     */
    private final class OtherRuns {
        private final Map<Long, Long> lastBeat = new HashMap<>();
        private final Map<Long, String> alive = new LinkedHashMap<>();
        private boolean told;

        /** Whether every given row belongs to a run seen alive. */
        boolean allAlive(List<RunningRow> rows) {
            boolean waiting = false;
            for (RunningRow r : rows) {
                Long before = lastBeat.put(r.id(), r.heartbeat());
                if (before != null && r.heartbeat() > before) {
                    alive.put(r.id(), r.runId());
                }
                waiting |= !alive.containsKey(r.id());
            }
            if (waiting && !told) {
                told = true;
                LOG.warning(rows.size() + " rows in the scope of this run are running under other runs; watching their"
                        + " heartbeats: rows of a live run are left to it, rows of a lost one run here when"
                        + " their lease expires");
            }
            return !waiting;
        }

        /** Per run seen alive, the rows of this run's scope it still held at the end. */
        Map<String, Long> alive() {
            Map<String, Long> perRun = new TreeMap<>();
            alive.values().forEach(run -> perRun.merge(String.valueOf(run), 1L, Long::sum));
            return perRun;
        }
    }

    /**
     * After a stop: the cancelled tasks finish their running experiments within the grace
     * period or release them, and release what they claimed but did not start. Wait for that
     * before Spark is stopped, which would end the executors and leave rows running until
     * their lease expires.
     */
    private void awaitReleased(String runId) {
        long deadline = System.nanoTime() + config.shutdownGrace().toNanos() + TimeUnit.SECONDS.toNanos(20);
        // a task hears of the cancel only when its executor does, and until then may claim again: a
        // count of held rows before the tasks end can miss its claim, and the executor, stopped with
        // the driver, then leaves the row running until its lease expires
        awaitTasksEnded(runId, deadline);
        long held = store.runs().heldBy(runId);
        if (held > 0) {
            stopWarning("run " + runId + " stopped with " + held
                    + " rows still running; they return to created when their lease expires");
        }
    }

    /**
     * Waits until no task of the run's Spark jobs is running (Spark's own count, fed by its
     * executors' reports), at most until the deadline.
     */
    private void awaitTasksEnded(String runId, long deadline) {
        SparkStatusTracker tracker = spark.sparkContext().statusTracker();
        while (true) {
            int active = 0;
            for (int job : tracker.getJobIdsForGroup(runId)) {
                Option<SparkJobInfo> info = tracker.getJobInfo(job);
                if (info.isEmpty()) {
                    continue;
                }
                for (int stage : info.get().stageIds()) {
                    Option<SparkStageInfo> s = tracker.getStageInfo(stage);
                    if (s.isDefined()) {
                        active += s.get().numActiveTasks();
                    }
                }
            }
            if (active == 0) {
                return;
            }
            if (System.nanoTime() >= deadline) {
                stopWarning(
                        "run " + runId + ": " + active + " of its tasks still running when its stop gave up waiting");
                return;
            }
            sleep(100);
        }
    }

    /**
     * A warning of a stop: while the JVM shuts down (Ctrl-C, SIGTERM), java.util.logging's own
     * shutdown hook takes its handlers away beside this run's hook, and a logged line went nowhere
     * ("rows still running" among them); then it goes to standard error as the log would print it.
     */
    private static void stopWarning(String message) {
        if (StoppedFromOutside.shuttingDown()) {
            System.err.println(
                    java.time.LocalTime.now().format(java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss"))
                            + " WARN " + RunJob.class.getSimpleName() + ": " + message);
        } else {
            LOG.warning(message);
        }
    }

    private void runRound(Experiment experiment, String runId, RunScope scope, OpenRows rows, int round) {
        boolean random = scope.isShuffled();
        // by default 4 per core, and at most about 20,000 rows each, so a task never holds many rows in memory
        int partitions = config.partitions() > 0
                ? config.partitions()
                : (int) Math.max(4L * spark.sparkContext().defaultParallelism(), (rows.count() + 19_999) / 20_000);
        partitions = (int) Math.max(1, Math.min(partitions, rows.count()));
        JavaRDD<Row> open;
        if (scope.isSeedMajor()) {
            // no rows handed out: each task claims the next open rows of the table in the scope's order,
            // so all tasks together take the rows of one seed before any of the next
            open = JavaSparkContext.fromSparkContext(spark.sparkContext())
                    .parallelize(new ArrayList<Row>(), partitions);
        } else {
            open = rows.count() <= driverReadLimit
                    ? readOnDriver(scope, partitions)
                    : readWithSpark(scope, rows, partitions, random);
        }
        spark.sparkContext()
                .setJobGroup(
                        runId,
                        "experimenter run: table " + config.table() + ", round " + round + ", " + rows.count()
                                + " open rows",
                        true);
        try {
            JavaRDD<long[]> run = open.mapPartitions(new PartitionTask(
                    store,
                    experiment,
                    runId,
                    scope,
                    cutsInTasks(),
                    spark.sparkContext().defaultParallelism(),
                    // local-cluster's executors are JVMs the driver starts: in a daemon, with its values
                    spark.sparkContext().master().startsWith("local") ? ShellVariables.ofRunningCommand() : null));
            // only the tasks that run rows hold their GPUs and cores: the reads before keep the default profile
            List<long[]> perTask = (rowProfile == null ? run : run.withResources(rowProfile)).collect();
            long ran = 0;
            for (long[] c : perTask) {
                for (long n : c) {
                    ran += n;
                }
            }
            LOG.info("run " + runId + " round " + round + " wrote " + ran + " experiments over " + perTask.size()
                    + " tasks");
        } catch (Exception e) { // SparkException is checked, though Java cannot see it thrown here
            if (!stopping) {
                // the job aborted (a task failed past Spark's retries): its other tasks were cancelled
                // and release what they hold within the grace period; what is left is released here
                // rather than left running until the lease expires
                awaitReleased(runId);
                int released = store.releaseRun(runId);
                throw new ExperimenterException(
                        "run " + runId + " failed: " + firstCause(e)
                                + (released > 0 ? " (" + released + " rows it held were returned to created)" : ""),
                        e);
            }
            LOG.info("run " + runId + " stopped: " + e.getMessage());
        } finally {
            spark.sparkContext().clearJobGroup();
        }
    }

    /**
     * Synchronous halving promoting between rounds: the tasks cut each rung themselves once the
     * run's last rows of it are done, and run the rows the cut added in the same Spark job
     * ({@link Worker#cuttingRungs}), so a rung costs no job of its own.
     */
    private boolean cutsInTasks() {
        return promoteBetweenRounds && config.halving().mode() == HalvingSettings.Mode.SYNC;
    }

    /** Runs of at most this many open rows read them on the driver, without a Spark SQL job. */
    static final int SMALL_READ = 20_000;

    /** A small run's open rows, read with one JDBC query and handed to Spark as they are. */
    private JavaRDD<Row> readOnDriver(RunScope scope, int partitions) {
        List<Row> rows = new ArrayList<>();
        for (Object[] r : store.runs().openRowsList(scope, driverReadLimit)) {
            rows.add(RowFactory.create(r));
        }
        return JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, partitions);
    }

    /** A large run's open rows, read by Spark's JDBC source in ranges of the id or the order key. */
    private JavaRDD<Row> readWithSpark(RunScope scope, OpenRows rows, int partitions, boolean random) {
        String select = store.runs().openRowsSelect(scope);
        // a read task holds a connection while it runs, and no more run at once than there are cores:
        // with more cores than READ_PARTITIONS, read in that many and spread the rows after
        boolean fewReads = partitions > READ_PARTITIONS && spark.sparkContext().defaultParallelism() > READ_PARTITIONS;
        Dataset<Row> open = SparkTables.reader(spark, config)
                .option("dbtable", "(" + select + ") open_rows")
                .option("partitionColumn", random ? "order_key" : "id")
                .option("lowerBound", random ? 0 : rows.minId())
                .option("upperBound", random ? RunScope.SHUFFLE_MODULUS : rows.maxId() + 1)
                .option("numPartitions", fewReads ? READ_PARTITIONS : partitions)
                .option("fetchsize", 10_000)
                .load();
        if (fewReads) {
            // read in few partitions (each holds a connection of Spark's own, outside the pool), then
            // spread over as many tasks as the run wants
            open = open.repartition(partitions);
        }
        return open.javaRDD();
    }

    /** The innermost cause's message, first line only: Spark wraps a task's failure in stage and job text. */
    static String firstCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m =
                t.getMessage() == null ? t.getClass().getName() : t.getMessage().strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /** Ctrl-C / SIGTERM: cancel the tasks (they release what they hold) and wait for the run to end. */
    private void stopGracefully(String runId, CountDownLatch done) {
        stopping = true;
        stopWarning("stopping run " + runId + ": no new experiments; running ones get " + config.shutdownGrace()
                + " to finish");
        try {
            spark.sparkContext().cancelJobGroup(runId);
            if (!done.await(config.shutdownGrace().toMillis() + 45_000, TimeUnit.MILLISECONDS)) {
                stopWarning("run " + runId
                        + " did not end in time; rows still held return to created when their lease expires");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            stopWarning("stopping run " + runId + ": " + e.getMessage());
        }
    }

    /**
     * The rows in scope, parsed and checked once here: where, ids, order, and an order-key limit
     * that keeps at most max rows.
     */
    private RunScope scope(RunOptions options) {
        RunScope scope = RunScope.all().shuffled(options.randomSeed());
        String order = options.order() != null ? options.order() : config.claimOrder();
        if (order.equals("seed-major")) {
            String field = options.seedField() != null ? options.seedField() : config.seedField();
            String problem = config.seedFieldProblem(field);
            if (problem != null) {
                throw new ExperimenterException(
                        (options.seedField() != null ? "--seed-field " : config.origin() + ": execution.seed-field: ")
                                + problem);
            }
            scope = scope.seedMajor(field);
        } else if (options.seedField() != null) {
            throw new ExperimenterException(
                    "--seed-field " + options.seedField() + " applies to seed-major order: add --order seed-major");
        }
        Where rows = store.where(options.where(), options.stage());
        if (!otherStages.isEmpty()) {
            Where others = store.whereStagesOtherThan(new java.util.TreeSet<>(otherStages));
            rows = rows == null ? others : rows.and(others);
        }
        if (rows != null) {
            scope = scope.where(rows);
        }
        if (!options.ids().isEmpty()) {
            checkIdsExist(options.ids());
            scope = scope.ids(options.ids());
        }
        try {
            return store.runs().limitScope(scope, options.maxExperiments());
        } catch (SQLException e) {
            throw new ExperimenterException("cannot select the rows to run in " + config.table()
                    + (options.where() == null ? "" : " with --where \"" + options.where() + "\"") + ": "
                    + e.getMessage());
        }
    }

    private void checkIdsExist(List<Long> ids) {
        List<Long> missing = store.admin().missingIds(ids);
        if (!missing.isEmpty()) {
            throw new ExperimenterException("table " + config.table() + " has no experiment with id " + missing);
        }
    }

    private ScheduledExecutorService startRecovery() {
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "experimenter-recovery");
            t.setDaemon(true);
            return t;
        });
        long every = config.recoveryInterval().toMillis();
        s.scheduleWithFixedDelay(
                () -> {
                    try {
                        Recovery r = store.recover();
                        if (r.requeued() + r.failed() > 0) {
                            LOG.warning("recovered lost rows of " + config.table() + " during the run: " + r.requeued()
                                    + " back to created, " + r.failed() + " out of attempts");
                        }
                    } catch (RuntimeException e) {
                        LOG.warning("recovery pass on " + config.table() + " failed: " + e.getMessage());
                    }
                },
                every,
                every,
                TimeUnit.MILLISECONDS);
        return s;
    }

    /** Runs of at most this many rows are summarized from a JDBC read, without a Spark job. */
    private static final int SMALL_RUN = 50_000;

    private RunSummary summarize(String runId, long startedNanos) {
        List<RunQueries.Ended> ended = store.runs().endedRows(runId, SMALL_RUN);
        if (ended == null) {
            return summarizeWithSpark(runId, startedNanos);
        }
        Map<Status, Long> counts = new EnumMap<>(Status.class);
        List<Double> walls = new ArrayList<>();
        for (RunQueries.Ended e : ended) {
            counts.merge(e.status(), 1L, Long::sum);
            if (e.wallSeconds() != null) {
                walls.add(e.wallSeconds());
            }
        }
        double wall = (System.nanoTime() - startedNanos) / 1e9;
        if (walls.isEmpty()) {
            return new RunSummary(runId, counts, 0, 0, 0, wall);
        }
        walls.sort(null);
        int n = walls.size();
        // the same median as Spark SQL's: the mean of the two middle values for an even count
        double median = n % 2 == 1 ? walls.get(n / 2) : (walls.get(n / 2 - 1) + walls.get(n / 2)) / 2;
        return new RunSummary(runId, counts, walls.get(0), median, walls.get(n - 1), wall);
    }

    private RunSummary summarizeWithSpark(String runId, long startedNanos) {
        double wall = (System.nanoTime() - startedNanos) / 1e9;
        Dataset<Row> table = SparkTables.table(spark, config);
        String view = "experimenter_run_" + runId.replaceAll("[^A-Za-z0-9]", "_");
        table.where(table.col("run_id").equalTo(runId)).createOrReplaceTempView(view);
        spark.sparkContext().setJobDescription("experimenter summary: table " + config.table());
        Map<Status, Long> counts = new EnumMap<>(Status.class);
        Row d = null;
        // one pass over the run's rows: counts per status, and durations over all of them
        for (Row r : spark.sql("SELECT status, count(*), min(wall_time), median(wall_time), max(wall_time),"
                        + " grouping(status) AS total FROM "
                        + view + " WHERE status <> 'running' GROUP BY GROUPING SETS ((status), ())")
                .collectAsList()) {
            if (((Number) r.get(5)).intValue() == 1) {
                d = r;
            } else {
                counts.put(Status.parse(r.getString(0)), r.getLong(1));
            }
        }
        spark.catalog().dropTempView(view);
        spark.sparkContext().setJobDescription(null);
        return d == null
                ? new RunSummary(runId, counts, 0, 0, 0, wall)
                : new RunSummary(runId, counts, num(d, 2), num(d, 3), num(d, 4), wall);
    }

    private static double num(Row r, int i) {
        return r.isNullAt(i) ? 0 : ((Number) r.get(i)).doubleValue();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
