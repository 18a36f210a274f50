package org.experimenter.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.TaskFailureListener;
import org.experimenter.Experiment;
import org.experimenter.Status;
import org.experimenter.store.ClaimedRow;
import org.experimenter.store.ExperimentStore;

/**
 * One Spark task: runs the open rows of its partition, then keeps claiming open rows of the
 * run's scope until none is left, so that uneven experiment durations do not leave cores
 * idle while one partition drags on. Returns one count per status.
 */
final class PartitionTask implements FlatMapFunction<Iterator<Row>, long[]> {
  private static final long serialVersionUID = 1L;

  private final ExperimentStore store;
  private final Experiment experiment;
  private final String runId;
  private final String scope;
  private final boolean pullRemaining;

  PartitionTask(ExperimentStore store, Experiment experiment, String runId, String scope, boolean pullRemaining) {
    this.store = store;
    this.experiment = experiment;
    this.runId = runId;
    this.scope = scope;
    this.pullRemaining = pullRemaining;
  }

  @Override
  public Iterator<long[]> call(Iterator<Row> rows) {
    if (store.config().url().startsWith("jdbc:sqlite:")) {
      SqliteSparkDialect.register();
    }
    TaskContext task = TaskContext.get();
    String executor =
        (SparkEnv.get() == null ? "local" : SparkEnv.get().executorId())
            + "-t" + (task == null ? 0 : task.taskAttemptId());
    int k = store.config().keyfields().size();
    List<ClaimedRow> candidates = new ArrayList<>();
    while (rows.hasNext()) {
      Row r = rows.next();
      Object[] keys = new Object[k];
      for (int i = 0; i < k; i++) {
        keys[i] = r.get(i + 1);
      }
      candidates.add(new ClaimedRow(r.getLong(0), keys));
    }
    try (Worker worker = new Worker(store, experiment, runId, executor)) {
      if (task != null) {
        task.addTaskFailureListener((TaskFailureListener) (ctx, error) -> worker.stop());
      }
      worker.runCandidates(candidates);
      if (pullRemaining) {
        worker.runRemaining(scope);
      }
      Map<Status, Long> counts = worker.counts();
      long[] out = new long[Status.values().length];
      for (Status s : Status.values()) {
        out[s.ordinal()] = counts.getOrDefault(s, 0L);
      }
      return List.of(out).iterator();
    }
  }
}
