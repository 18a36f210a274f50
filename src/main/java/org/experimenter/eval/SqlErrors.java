package org.experimenter.eval;

import java.util.function.Supplier;
import org.apache.spark.SparkThrowable;
import org.experimenter.ExperimenterException;

/** Turns Spark's SQL errors into one-line messages; the query plan Spark appends is left out. */
public final class SqlErrors {
    private SqlErrors() {}

    /**
     * Runs work that plans or executes Spark SQL. A Spark error becomes an {@link
     * ExperimenterException} whose message is {@code context: SQL error: <Spark's first line>}
     * (the full error stays its cause).
     */
    public static <T> T translate(String context, Supplier<T> work) {
        try {
            return work.get();
        } catch (Exception e) {
            // AnalysisException is checked in Java's eyes but thrown unchecked from Scala
            if (e instanceof SparkThrowable) {
                throw new ExperimenterException(context + "SQL error: " + firstLine(e), e);
            }
            if (e instanceof RuntimeException) {
                throw (RuntimeException) e;
            }
            throw new ExperimenterException(context + e, e);
        }
    }

    private static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage()).strip();
        return m.split("\\R", 2)[0];
    }
}
