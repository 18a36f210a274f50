package org.experimenter.store;

import org.experimenter.Status;

/** The statuses as literals of SQL text: {@code "status = " + CREATED}. */
final class StatusLiterals {
    static final String CREATED = literal(Status.CREATED);
    static final String RUNNING = literal(Status.RUNNING);
    static final String ERROR = literal(Status.ERROR);
    static final String PAUSED = literal(Status.PAUSED);
    static final String DONE = literal(Status.DONE);

    private StatusLiterals() {}

    static String literal(Status s) {
        return "'" + s.dbName() + "'";
    }
}
