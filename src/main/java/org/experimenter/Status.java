package org.experimenter;

import java.util.Locale;

/** The life cycle of one experiment row; stored in the {@code status} column in lower case. */
public enum Status {
    CREATED,
    RUNNING,
    DONE,
    ERROR,
    PAUSED;

    public String dbName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a status name as stored or typed by a user; throws naming the bad value. */
    public static Status parse(String name) {
        for (Status s : values()) {
            if (s.dbName().equalsIgnoreCase(name.trim())) {
                return s;
            }
        }
        throw new ExperimenterException(
                "unknown status '" + name + "'; expected one of created, running, done, error, paused");
    }
}
