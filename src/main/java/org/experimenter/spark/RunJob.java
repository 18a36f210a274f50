package org.experimenter.spark;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.experimenter.Experiment;
import org.experimenter.RunSummary;
import org.experimenter.Status;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.grid.Parameter;
import org.experimenter.store.ExperimentStore;
import org.experimenter.store.Jdbc;

/**
 * The driver side of a run: recovers lost rows, reads the open rows through Spark JDBC in id
 * ranges, hands each partition to a {@link PartitionTask} on the executors, and summarizes
 * the run with Spark SQL.
 */
public final class RunJob {
  private static final Logger LOG = Logger.getLogger(RunJob.class.getName());

  private final SparkSession spark;
  private final ExperimentConfig config;
  private final ExperimentStore store;

  public RunJob(SparkSession spark, ExperimentConfig config) {
    this.spark = spark;
    this.config = config;
    this.store = new ExperimentStore(config);
  }

  /**
   * Runs the open rows.
   *
   * @param predicate an SQL condition over the table's columns narrowing which rows run, or null
   * @param maxExperiments at most this many rows (in id order); 0 for all
   */
  public RunSummary run(Experiment experiment, String predicate, long maxExperiments) {
    long started = System.nanoTime();
    store.createTableIfMissing();
    ExperimentStore.Recovery rec = store.recover();
    if (rec.requeued + rec.failed > 0) {
      LOG.info("recovered lost rows of " + config.table() + ": " + rec.requeued + " back to created, " + rec.failed + " out of attempts");
    }
    String runId = runId();
    String scope = scope(predicate, maxExperiments);
    long[] bounds = scope == null ? null : store.openIdBounds(scope);
    if (bounds == null) {
      LOG.info("no open rows in " + config.table() + (predicate == null ? "" : " matching " + predicate));
      return summarize(runId, started);
    }
    int partitions = config.partitions() > 0 ? config.partitions() : 4 * spark.sparkContext().defaultParallelism();
    partitions = (int) Math.max(1, Math.min(partitions, bounds[2]));
    StringBuilder select = new StringBuilder("SELECT id");
    for (Parameter p : config.keyfields()) {
      select.append(", ").append(p.name());
    }
    select.append(" FROM ").append(config.table()).append(" WHERE status = 'created' AND (").append(scope).append(")");
    Dataset<Row> open =
        SparkTables.reader(spark, config)
            .option("dbtable", "(" + select + ") open_rows")
            .option("partitionColumn", "id")
            .option("lowerBound", bounds[0])
            .option("upperBound", bounds[1] + 1)
            .option("numPartitions", partitions)
            .option("fetchsize", 10_000)
            .load();

    ScheduledExecutorService recovery = startRecovery();
    spark.sparkContext().setJobDescription("experimenter run: table " + config.table() + ", " + bounds[2] + " open rows");
    Progress progress = Progress.start(store, runId, scope);
    try {
      List<long[]> perTask =
          open.javaRDD()
              .mapPartitions(new PartitionTask(store, experiment, runId, scope, maxExperiments == 0))
              .collect();
      long ran = 0;
      for (long[] c : perTask) {
        for (long n : c) {
          ran += n;
        }
      }
      LOG.info("run " + runId + " wrote " + ran + " experiments over " + perTask.size() + " tasks");
    } finally {
      progress.close();
      recovery.shutdownNow();
      spark.sparkContext().setJobDescription(null);
    }
    return summarize(runId, started);
  }

  /** The rows in scope: the predicate, and an id limit that keeps at most max rows. */
  private String scope(String predicate, long max) {
    String p = predicate == null || predicate.isBlank() ? "1 = 1" : predicate;
    if (max <= 0) {
      return p;
    }
    try (Connection c = store.connect()) {
      List<Long> last =
          Jdbc.query(
              c,
              "SELECT id FROM " + config.table() + " WHERE status = 'created' AND (" + p + ") ORDER BY id LIMIT 1 OFFSET ?",
              ps -> ps.setLong(1, max - 1),
              rs -> rs.getLong(1));
      return last.isEmpty() ? p : "(" + p + ") AND id <= " + last.get(0);
    } catch (SQLException e) {
      throw store.failure("cannot select the rows to run in " + config.table() + " (where: " + p + ")", e);
    }
  }

  private ScheduledExecutorService startRecovery() {
    ScheduledExecutorService s =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "experimenter-recovery");
              t.setDaemon(true);
              return t;
            });
    long every = config.recoveryInterval().toMillis();
    s.scheduleWithFixedDelay(
        () -> {
          try {
            ExperimentStore.Recovery r = store.recover();
            if (r.requeued + r.failed > 0) {
              LOG.warning("recovered lost rows of " + config.table() + " during the run: " + r.requeued + " back to created, " + r.failed + " out of attempts");
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

  private RunSummary summarize(String runId, long startedNanos) {
    double wall = (System.nanoTime() - startedNanos) / 1e9;
    Dataset<Row> table = SparkTables.table(spark, config);
    String view = "experimenter_run_" + runId.replace('-', '_');
    table.where(table.col("run_id").equalTo(runId)).createOrReplaceTempView(view);
    spark.sparkContext().setJobDescription("experimenter summary: table " + config.table());
    Map<Status, Long> counts = new EnumMap<>(Status.class);
    for (Row r : spark.sql("SELECT status, COUNT(*) FROM " + view + " GROUP BY status").collectAsList()) {
      counts.put(Status.parse(r.getString(0)), r.getLong(1));
    }
    Row d =
        spark
            .sql(
                "SELECT min(s), median(s), max(s) FROM (SELECT (unix_millis(end_date) - unix_millis(start_date)) / 1000.0 AS s FROM "
                    + view + " WHERE end_date IS NOT NULL)")
            .first();
    spark.catalog().dropTempView(view);
    spark.sparkContext().setJobDescription(null);
    return new RunSummary(runId, counts, num(d, 0), num(d, 1), num(d, 2), wall);
  }

  private static double num(Row r, int i) {
    return r.isNullAt(i) ? 0 : ((Number) r.get(i)).doubleValue();
  }

  private String runId() {
    return spark.sparkContext().applicationId() + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
