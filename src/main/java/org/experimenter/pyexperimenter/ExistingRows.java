package org.experimenter.pyexperimenter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.experimenter.store.RowImport;

/**
 * The rows read from PyExperimenter held against each other and against the rows the table here
 * already has: a row here with the same id and keyfields is skipped, a row whose id or keyfields
 * are another row's (there or here) is a problem, the rest are to be copied.
 */
final class ExistingRows {
    /** What to copy, with the attempt each row is copied with, and what was skipped or reset. */
    record Checked(List<RowImport.Row> rows, Map<Long, Integer> attemptOf, int skipped, int reset) {}

    private ExistingRows() {}

    /**
     * @param existing the table's rows here: id to keyfield values
     * @param resetIds the rows that were running there and are copied as created
     */
    static Checked check(
            List<RowImport.Row> read, Map<Long, List<Object>> existing, Set<Long> resetIds, Problems problems) {
        Map<List<Object>, Long> existingByKeys = new HashMap<>();
        existing.forEach((id, keys) -> existingByKeys.put(keys, id));
        Map<List<Object>, Long> seen = new HashMap<>();
        List<RowImport.Row> rows = new ArrayList<>();
        Map<Long, Integer> attemptOf = new HashMap<>();
        int skipped = 0;
        int reset = 0;
        for (RowImport.Row r : read) {
            List<Object> keys = Arrays.asList(r.keys());
            Long twin = seen.putIfAbsent(keys, r.id());
            if (twin != null) {
                problems.row(
                        r.id(),
                        "the same keyfield values as row " + twin + " " + keys + " (keyfields are unique here)");
                continue;
            }
            List<Object> here = existing.get(r.id());
            if (here != null) {
                if (here.equals(keys)) {
                    skipped++;
                } else {
                    problems.row(r.id(), "id " + r.id() + " is another row here, with keyfields " + here);
                }
                continue;
            }
            Long other = existingByKeys.get(keys);
            if (other != null) {
                problems.row(r.id(), "its keyfield values " + keys + " are row " + other + " here");
                continue;
            }
            if (resetIds.contains(r.id())) {
                reset++;
            }
            rows.add(r);
            attemptOf.put(r.id(), r.attempt());
        }
        return new Checked(rows, attemptOf, skipped, reset);
    }
}
