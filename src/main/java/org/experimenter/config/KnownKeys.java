// Which keys a config may have: those of reference.conf, the few the reader takes that have no
// default, and anything under the sections whose keys the user names. Anything else is a typo.
package org.experimenter.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.experimenter.InvalidConfigException;

/**
 * Refuses keys nothing reads: {@code resultfield { r = double }} once filled a table without
 * result fields and exited 0. The message names the first such key in the file and, when a
 * known key is close to it, that key: {@code exp.conf: 7: resultfield: unknown key; did you
 * mean resultfields?}.
 */
final class KnownKeys {
    /** In a section path, a name the user chooses: {@code keyfields.*} is any one keyfield. */
    private static final String NAMED = "*";

    /** Sections whose keys are all the user's: FieldReader checks the names, custom is anything. */
    private static final Set<String> OPEN = Set.of(
            "resultfields",
            "logtables",
            "custom",
            "spark.conf",
            "experiment.environment",
            "experiment.python.environment");

    /**
     * What the reader reads beyond the keys of reference.conf: the table, the command and the function, which
     * have no default, the keys of each keyfield, and the resources of each stage. A keyfield's values are no section: ValueReader names a
     * wrong range key itself.
     */
    private static final Map<String, Set<String>> BEYOND_REFERENCE = Map.of(
            "database",
            Set.of("table"),
            "experiment",
            Set.of("command"),
            "experiment.python",
            Set.of("function"),
            "keyfields",
            Set.of(NAMED),
            "keyfields." + NAMED,
            Set.of("type", "values"),
            "",
            Set.of(HalvingReader.SECTION, "stages"),
            HalvingReader.SECTION,
            Set.of("field", "min", "max", "eta", "by", "value", "lower-is-better", "mode", "brackets"),
            "stages",
            Set.of(NAMED),
            "stages." + NAMED,
            Set.of("resources"),
            "stages." + NAMED + ".resources",
            Set.of("gpus", "cpus", "memory", "escalate"));

    /** Section path to the keys it may have, sorted so that suggestions do not depend on hashing. */
    private final Map<String, Set<String>> sections = new HashMap<>();

    private KnownKeys(Config reference) {
        collect(reference.root(), "");
        BEYOND_REFERENCE.forEach((section, keys) ->
                sections.computeIfAbsent(section, k -> new TreeSet<>()).addAll(keys));
    }

    /** Throws naming the first key of the resolved config c that neither reference nor reader knows. */
    static void check(Config c, Config reference) {
        List<Unknown> unknown = new ArrayList<>();
        new KnownKeys(reference).walk(c.root(), "", List.of(), unknown);
        Unknown first = unknown.stream()
                .min(Comparator.comparingInt((Unknown u) -> u.value().origin().lineNumber())
                        .thenComparing(Unknown::path))
                .orElse(null);
        if (first != null) {
            String where = first.value().origin().description();
            throw new InvalidConfigException(where + ": " + first.path() + ": unknown key" + first.hint());
        }
    }

    private void collect(ConfigObject obj, String section) {
        if (OPEN.contains(section)) {
            return;
        }
        sections.put(section, new TreeSet<>(obj.keySet()));
        obj.forEach((key, value) -> {
            if (value.valueType() == ConfigValueType.OBJECT) {
                collect((ConfigObject) value, join(section, key));
            }
        });
    }

    private void walk(ConfigObject obj, String section, List<String> path, List<Unknown> unknown) {
        Set<String> keys = sections.get(section);
        boolean named = keys.contains(NAMED);
        for (Map.Entry<String, ConfigValue> e : obj.entrySet()) {
            String key = e.getKey();
            List<String> here = new ArrayList<>(path);
            here.add(key);
            if (!named && !keys.contains(key)) {
                unknown.add(new Unknown(ConfigUtil.joinPath(here), e.getValue(), hint(path, key, keys)));
                continue;
            }
            String child = join(section, named ? NAMED : key);
            // a known key that is no section (a string, or a section that is open) is checked by its reader
            if (e.getValue().valueType() == ConfigValueType.OBJECT && sections.containsKey(child)) {
                walk((ConfigObject) e.getValue(), child, here, unknown);
            }
        }
    }

    /** "; did you mean x.y?" for the known key closest to key, when it is close; else "". */
    private static String hint(List<String> parent, String key, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int d = distance(key, candidate);
            if (d < bestDistance && (d <= 2 || isPrefix(key, candidate))) {
                best = candidate;
                bestDistance = d;
            }
        }
        if (best == null) {
            return "";
        }
        List<String> path = new ArrayList<>(parent);
        path.add(best);
        return "; did you mean " + ConfigUtil.joinPath(path) + "?";
    }

    /** One starts the other and is long enough for that to mean something: heartbeat, heartbeat-interval. */
    private static boolean isPrefix(String a, String b) {
        String shorter = a.length() <= b.length() ? a : b;
        String longer = shorter == a ? b : a;
        return shorter.length() >= 3 && longer.startsWith(shorter);
    }

    /** Edits from a to b: insertions, deletions, substitutions, and swaps of neighbours (tabel, table). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    private static String join(String section, String key) {
        return section.isEmpty() ? key : section + "." + key;
    }

    private record Unknown(String path, ConfigValue value, String hint) {}
}
