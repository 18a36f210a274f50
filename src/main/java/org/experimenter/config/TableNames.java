package org.experimenter.config;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The names the tool writes unquoted: what a name may be, and every name the tables of an
 * experiment table take in the database (tables, constraint, indexes), checked against the
 * database's limit on names when the config is read and used by the store's schema.
 */
public final class TableNames {
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z][a-z0-9_]{0,62}");

    private TableNames() {}

    /**
     * Whether a name is one the tool writes unquoted: lower-case letters, digits and _, starting
     * with a letter, at most 63 characters (reserved words are checked apart).
     */
    public static boolean isIdentifier(String name) {
        return IDENTIFIER.matcher(name).matches();
    }

    /** The names derived from an experiment table named {@code table}. */
    public static List<String> of(String table) {
        String a = attempts(table);
        return List.of(
                table,
                table + "_keys",
                table + "_status_idx",
                table + "_claim_idx",
                table + "_open_idx",
                table + "_returned_idx",
                a,
                a + "_exp_idx",
                energy(table),
                energy(table) + "_exp_idx",
                artifacts(table),
                artifacts(table) + "_id_idx");
    }

    /** The same for one log table. */
    public static List<String> of(String table, String logtable) {
        String l = logTable(table, logtable);
        return List.of(l, l + "_exp_idx");
    }

    public static String attempts(String table) {
        return table + "__attempts";
    }

    /** The energy table: one row per attempt with its energy and emissions. */
    public static String energy(String table) {
        return table + "__energy";
    }

    /** The files each attempt left in its artifact folder (docs/artifacts.md). */
    public static String artifacts(String table) {
        return table + "__artifacts";
    }

    public static String logTable(String table, String logtable) {
        return table + "__" + logtable;
    }
}
