package org.experimenter.store;

import java.util.List;

/**
 * The rows of one status matching a condition, and for each result field asked about how many
 * of them have no value of it (NaN is stored as no value).
 */
public record StatusCount(String status, long rows, List<Long> withoutValue) {
    public StatusCount {
        withoutValue = List.copyOf(withoutValue);
    }
}
