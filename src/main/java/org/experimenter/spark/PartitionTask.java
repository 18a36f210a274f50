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
import org.experimenter.process.ShellVariables;
import org.experimenter.store.ClaimedRow;
import org.experimenter.store.ExperimentStore;
import org.experimenter.store.RunScope;

/**
 * One Spark task: runs the open rows of its partition, then keeps claiming open rows of the
 * run's scope until none is left, so that uneven experiment durations do not leave cores
 * idle while one partition drags on; with synchronous halving it then cuts the rungs the run
 * finished and goes on with the rows the cut added. Returns one count per status.
 */
final class PartitionTask implements FlatMapFunction<Iterator<Row>, long[]> {
    private static final long serialVersionUID = 1L;

    private final ExperimentStore store;
    private final Experiment experiment;
    private final String runId;
    private final RunScope scope;
    private final boolean cutRungs;
    private final int slots;
    /** The running command's shell variables, for executor JVMs a daemon started ({@link ShellVariables}); null: none. */
    private final Map<String, String> shellVariables;

    /**
     * With cutRungs (synchronous halving between rounds), each task cuts the rungs it finished
     * ({@link Worker#cuttingRungs}); slots: how many tasks run at once (the application's cores);
     * shellVariables: the values of the running command's command line, which the processes the
     * experiments start get ({@link ShellVariables}; null: the executor's own).
     */
    PartitionTask(
            ExperimentStore store,
            Experiment experiment,
            String runId,
            RunScope scope,
            boolean cutRungs,
            int slots,
            Map<String, String> shellVariables) {
        this.store = store;
        this.experiment = experiment;
        this.runId = runId;
        this.scope = scope;
        this.cutRungs = cutRungs;
        this.slots = slots;
        this.shellVariables = shellVariables;
    }

    @Override
    public Iterator<long[]> call(Iterator<Row> rows) {
        if (shellVariables != null) {
            // an executor JVM of a local-cluster master has the values of the command that started the daemon
            ShellVariables.useCommandLines(shellVariables);
        }
        SparkTables.registerDialect(store.dialect());
        TaskContext task = TaskContext.get();
        SparkEnv env = SparkEnv.get();
        String executor = (env == null ? "local" : env.executorId()) + "-t" + (task == null ? 0 : task.taskAttemptId());
        String app = env == null ? null : env.conf().getAppId();
        int k = store.config().keyfields().size();
        // rows are (id, keyfields..., order_key); run them in order_key order
        List<Object[]> read = new ArrayList<>();
        while (rows.hasNext()) {
            Row r = rows.next();
            Object[] keys = new Object[k];
            for (int i = 0; i < k; i++) {
                keys[i] = r.get(i + 1);
            }
            read.add(new Object[] {((Number) r.get(k + 1)).longValue(), new ClaimedRow(r.getLong(0), keys)});
        }
        read.sort((a, b) -> Long.compare((Long) a[0], (Long) b[0]));
        List<ClaimedRow> candidates = new ArrayList<>(read.size());
        for (Object[] o : read) {
            candidates.add((ClaimedRow) o[1]);
        }
        List<String> gpus =
                TaskResources.gpusOfTask(task, store.config().resources().base());
        try (Worker worker = new Worker(store, experiment, runId, executor, app)
                .withGpus(gpus)
                .promotingWithin(scope)) {
            if (cutRungs) {
                worker.cuttingRungs(slots);
            }
            if (task != null) {
                task.addTaskFailureListener((TaskFailureListener) (ctx, error) -> worker.stop());
                worker.stopWhen(task::isInterrupted);
            }
            // a task that starts once the others took every row of the run (with trivial experiments all
            // but the first task of each core) ends with one read, where it claimed its partition's rows,
            // read which were taken and claimed twice more
            if (worker.mayFindWork(scope)) {
                worker.runCandidates(candidates, scope);
                worker.runRemainingThroughRungs(scope);
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
