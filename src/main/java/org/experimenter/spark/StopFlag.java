package org.experimenter.spark;

import java.util.function.BooleanSupplier;

/**
 * Owns whether a worker is stopping: told to (a stop, a failed task, an interrupt of the task
 * thread, an experiment calling System.exit) or its Spark task flagged as killed. Read by the
 * claim loop, the runner thread and the experiment's context.
 */
final class StopFlag implements BooleanSupplier {
    private volatile boolean stopping;
    private volatile BooleanSupplier cancelled = () -> false;

    void stop() {
        stopping = true;
    }

    void stopWhen(BooleanSupplier condition) {
        this.cancelled = condition;
    }

    @Override
    public boolean getAsBoolean() {
        return stopping || cancelled.getAsBoolean();
    }
}
