package org.experimenter.process;

import org.experimenter.ExperimenterException;

/**
 * Why a command experiment failed, said in its message alone: the row's {@code error} column
 * gets the stack trace of what an experiment throws, and a trace of this class would only bury
 * the exit code and the process's stderr under frames of the tool.
 */
final class CommandFailure extends ExperimenterException {
    private static final long serialVersionUID = 1L;

    CommandFailure(String message) {
        super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }

    @Override
    public String toString() {
        return getMessage();
    }
}
