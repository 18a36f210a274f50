package org.experimenter.python;

import org.experimenter.ExperimenterException;

/**
 * Why a Python function's row failed, said in its message alone (a traceback, an exit code, an
 * import error): a stack trace of this class would only bury it under frames of the tool.
 */
final class WorkerFailure extends ExperimenterException {
    private static final long serialVersionUID = 1L;

    WorkerFailure(String message) {
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
