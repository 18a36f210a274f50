package org.experimenter.python;

import org.experimenter.Experiment;
import org.experimenter.ExperimentContext;
import org.experimenter.ExperimenterException;
import org.experimenter.config.ExperimentConfig;

/**
 * The experiment of a config whose {@code experiment.python.function} is set: calls the Python
 * function once per row, in long-lived workers (see {@link FunctionCall}, {@link WorkerPool}).
 * An exception in the function ends the row as {@code error} with the Python traceback and the
 * worker goes on; a worker that dies ends only the row it was running.
 */
public final class PythonExperiment implements Experiment {
    private static final long serialVersionUID = 1L;

    private final ExperimentConfig config;

    public PythonExperiment(ExperimentConfig config) {
        if (config.python() == null) {
            throw new ExperimenterException(config.origin() + ": experiment.python.function is not set; this is a bug");
        }
        this.config = config;
    }

    /**
     * Starts the workers of {@code rows} rows ahead, in the background (see {@link
     * WorkerPool#prestart}): for the driver of a local run, whose tasks run in this JVM. Nothing
     * when the rows ask for resources: their workers are told the task's GPUs and memory, known
     * only when a task runs.
     */
    public void prestart(int rows) {
        if (!config.resources().base().any() && config.resources().escalation().isEmpty()) {
            WorkerPool.prestart(config.python(), rows);
        }
    }

    /**
     * Ends the idle workers of this JVM and forgets failed imports: between two commands of the
     * daemon, so that the next command imports the functions as they are then.
     */
    public static void endIdleWorkers() {
        WorkerPool.endIdle();
    }

    @Override
    public boolean runsProcesses() {
        return true;
    }

    @Override
    public void run(ExperimentContext ctx) throws Exception {
        new FunctionCall(config, ctx).run();
    }
}
