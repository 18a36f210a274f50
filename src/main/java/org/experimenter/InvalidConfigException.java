package org.experimenter;

/**
 * A configuration that cannot be used. The message names the file, line and key, e.g.
 * {@code conf/example.conf: 12: keyfields.seed.values: a range with step 0 never ends}.
 */
public class InvalidConfigException extends ExperimenterException {
    private static final long serialVersionUID = 1L;

    public InvalidConfigException(String message) {
        super(message);
    }

    public InvalidConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
