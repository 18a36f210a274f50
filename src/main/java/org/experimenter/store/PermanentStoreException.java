package org.experimenter.store;

import org.experimenter.StoreException;

/**
 * A database error that repeating the statement cannot cure (bad data, a constraint, an SQL
 * error: SQLSTATE classes 22, 23 and 42 and their SQLite codes), so it is not retried.
 */
public final class PermanentStoreException extends StoreException {
    private static final long serialVersionUID = 1L;

    public PermanentStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
