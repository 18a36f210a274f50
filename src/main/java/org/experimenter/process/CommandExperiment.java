package org.experimenter.process;

import org.experimenter.Experiment;
import org.experimenter.ExperimentContext;
import org.experimenter.ExperimenterException;
import org.experimenter.config.ExperimentConfig;

/**
 * The experiment of a config whose {@code experiment.command} is set: runs the command once per
 * row (see {@link CommandAttempt}). A non-zero exit, a signal, a missing or malformed result file,
 * or an undeclared or mistyped field ends the row as {@code error} with a message saying which,
 * and the end of the process's stderr.
 */
public final class CommandExperiment implements Experiment {
    private static final long serialVersionUID = 1L;

    private final ExperimentConfig config;

    public CommandExperiment(ExperimentConfig config) {
        if (config.command() == null) {
            throw new ExperimenterException(config.origin() + ": experiment.command is not set; this is a bug");
        }
        this.config = config;
    }

    @Override
    public boolean runsProcesses() {
        return true;
    }

    @Override
    public void run(ExperimentContext ctx) throws Exception {
        new CommandAttempt(config, ctx).run();
    }
}
