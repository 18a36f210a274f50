package org.experimenter.store;

import java.util.ArrayList;
import java.util.List;

/**
 * How many done rows came from one code version (null: not recorded), and whether any of them
 * from a work tree with uncommitted changes.
 */
public record CodeVersionCount(String codeVersion, boolean dirty, long rows) {
    /**
     * The sentence {@code status} and the web view warn with when the done rows of a table came
     * from more than one code version, naming each with its rows; null when they agree.
     */
    public static String warning(String table, List<CodeVersionCount> versions) {
        if (versions.size() < 2) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        for (CodeVersionCount v : versions) {
            parts.add((v.codeVersion() == null ? "not recorded" : v.codeVersion()) + " (" + v.rows()
                    + (v.rows() == 1 ? " row" : " rows") + (v.dirty() ? ", uncommitted changes" : "") + ")");
        }
        return "the done rows of " + table + " come from " + versions.size() + " code versions: "
                + String.join(", ", parts) + "; reset and run again the rows of the versions you do not want";
    }
}
