package org.experimenter;

/** The root of every exception this project throws on purpose. */
public class ExperimenterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ExperimenterException(String message) {
        super(message);
    }

    public ExperimenterException(String message, Throwable cause) {
        super(message, cause);
    }
}
