package org.experimenter.store;

import java.io.Serializable;

/**
 * A row a worker holds: its id and keyfield values in keyfield order.
 *
 * @param experimentClass the experiment class this row runs with instead of the configured one
 *     (set by unpause), or null
 */
public record ClaimedRow(long id, Object[] keys, String experimentClass) implements Serializable {
    public ClaimedRow(long id, Object[] keys) {
        this(id, keys, null);
    }
}
