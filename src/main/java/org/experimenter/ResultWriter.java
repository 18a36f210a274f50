package org.experimenter;

import java.util.Map;

/**
 * Collects an experiment's results. A field that is not declared in {@code resultfields}, or
 * a value of the wrong type, throws at once naming the field, and fails that experiment only.
 * Results are written with the row's final status; {@link #flush()} writes them earlier, so
 * that intermediate results are visible in the table while the experiment runs.
 */
public interface ResultWriter {

    /** Sets one result field. Integral numbers widen to long and double fields. */
    ResultWriter put(String field, Object value);

    /** Sets several result fields. */
    default ResultWriter putAll(Map<String, ?> values) {
        values.forEach(this::put);
        return this;
    }

    /** Writes the results set so far (and pending log rows) to the table now. */
    void flush();
}
