package org.experimenter.pyexperimenter;

import java.util.ArrayList;
import java.util.List;

/**
 * The rows that cannot be copied, collected while everything is read so that one message lists
 * them all (the first {@value #MAX_LISTED}); any one of them means nothing is copied.
 */
final class Problems {
    private static final int MAX_LISTED = 20;

    private final List<String> lines = new ArrayList<>();

    /** A row of the experiment table that cannot be copied; null, for {@code return problem(...)}. */
    <T> T row(long id, String what) {
        lines.add("row " + id + ": " + what);
        return null;
    }

    /** A problem of another table's row, already naming it. */
    void add(String line) {
        lines.add(line);
    }

    int size() {
        return lines.size();
    }

    /** Throws listing the problems when there are any. */
    void throwIfAny(String source, String target) {
        if (lines.isEmpty()) {
            return;
        }
        StringBuilder m = new StringBuilder(
                lines.size() + " rows of " + source + " cannot be copied into " + target + "; nothing was copied:");
        lines.stream().limit(MAX_LISTED).forEach(p -> m.append("\n  ").append(p));
        if (lines.size() > MAX_LISTED) {
            m.append("\n  ... and ").append(lines.size() - MAX_LISTED).append(" more");
        }
        throw new TableAdoption.AdoptionException(m.toString());
    }
}
