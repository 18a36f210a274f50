package org.experimenter.store;

import java.util.ArrayList;
import java.util.List;
import org.experimenter.store.dialect.Dialect;

/** A {@link RunScope} written as SQL for one database: its condition and its order key. */
final class ScopeSql {
    private ScopeSql() {}

    /** The condition of the scope, never empty ({@code 1 = 1} for every row). */
    static String predicate(RunScope scope, Dialect dialect) {
        if (scope == null) {
            return "1 = 1";
        }
        List<String> parts = new ArrayList<>();
        if (scope.where() != null) {
            parts.add(WhereSql.of(scope.where(), dialect));
        }
        if (!scope.ids().isEmpty()) {
            StringBuilder in = new StringBuilder("id IN (");
            for (int i = 0; i < scope.ids().size(); i++) {
                in.append(i == 0 ? "" : ", ").append(scope.ids().get(i).longValue());
            }
            parts.add(in.append(")").toString());
        }
        if (scope.lastOrderKey() != null) {
            parts.add(orderKey(scope) + " <= " + scope.lastOrderKey());
        }
        if (scope.returnedOnly()) {
            // a partial index holds just these rows among the open ones
            parts.add("run_id IS NOT NULL");
        }
        return parts.isEmpty() ? "1 = 1" : String.join(" AND ", parts);
    }

    /**
     * The expression rows are taken in order of: the id, or a seeded shuffle of it; in seed-major
     * order the seed keyfield times 2^32 plus that (an int seed and ids below 2^32 keep it within a
     * long, and the run checks the ids).
     */
    static String orderKey(RunScope scope) {
        String within = scope == null || !scope.isShuffled()
                ? "id"
                : "((id * 2654435761 + " + scope.shuffleSeed() + ") % " + RunScope.SHUFFLE_MODULUS + ")";
        if (scope == null || !scope.isSeedMajor()) {
            return within;
        }
        return "(" + scope.seedField() + " * " + RunScope.SEED_STRIDE + " + " + within + ")";
    }
}
