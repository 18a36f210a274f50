package org.experimenter;

/** The experiment table could not be read or written. Messages never contain passwords. */
public class StoreException extends ExperimenterException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
