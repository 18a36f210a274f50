package org.experimenter;

import java.util.Map;

/**
 * Writes results and log rows for a running experiment from outside it: another thread, or
 * another process that knows the row's id. Obtained from {@link Experimenter#attach(long)};
 * writes are refused once the row is no longer running. {@link #close()} flushes.
 */
public interface Attachment extends AutoCloseable {

    /** The results of the attached row; {@link ResultWriter#flush()} writes them at once. */
    ResultWriter results();

    /** Appends a row to a declared log table of the attached row. */
    void log(String logtable, Map<String, ?> row);

    /** Writes what is pending. */
    @Override
    void close();
}
