// The names, types and file order of keyfields, result fields and log-table columns, and
// the rules that keep those names safe as SQL columns. Value lists and ranges: ValueReader.
package org.experimenter.config;

import static org.experimenter.config.ConfigReader.at;
import static org.experimenter.config.ConfigReader.quoteKey;
import static org.experimenter.config.ConfigReader.typeName;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.experimenter.FieldType;
import org.experimenter.grid.Parameter;

/** Reads the field sections of one resolved config; remembers the names declared so far. */
final class FieldReader {

    /** Words that PostgreSQL, SQLite or Spark SQL reserve; refused as names to keep SQL plain. */
    private static final Set<String> RESERVED = Set.of(
            "all",
            "alter",
            "and",
            "any",
            "as",
            "asc",
            "between",
            "by",
            "case",
            "cast",
            "check",
            "column",
            "constraint",
            "create",
            "cross",
            "current_date",
            "current_time",
            "current_timestamp",
            "current_user",
            "default",
            "delete",
            "desc",
            "distinct",
            "drop",
            "else",
            "end",
            "except",
            "exists",
            "false",
            "fetch",
            "for",
            "foreign",
            "from",
            "full",
            "grant",
            "group",
            "having",
            "in",
            "index",
            "inner",
            "insert",
            "intersect",
            "into",
            "is",
            "join",
            "key",
            "left",
            "like",
            "limit",
            "natural",
            "not",
            "null",
            "offset",
            "on",
            "or",
            "order",
            "outer",
            "primary",
            "references",
            "returning",
            "right",
            "select",
            "session_user",
            "set",
            "some",
            "table",
            "then",
            "to",
            "true",
            "union",
            "unique",
            "update",
            "user",
            "using",
            "values",
            "when",
            "where",
            "window",
            "with");

    private static final Set<String> LOG_TABLE_COLUMNS = Set.of("id", "experiment_id", "attempt", "timestamp");

    private final Config c;
    /** Field path to its place in the text (line * 100000 + column); see {@link #orderInText}. */
    private final Map<String, Long> order;
    /** Keyfield and result field names declared so far, to what they were declared as. */
    private final Map<String, String> seen = new LinkedHashMap<>();

    FieldReader(Config c, Map<String, Long> order) {
        this.c = c;
        this.order = order;
    }

    List<Parameter> keyfields() {
        ConfigObject obj = c.getObject("keyfields");
        if (obj.isEmpty()) {
            throw at(c, "keyfields", "no keyfields declared; an experiment needs at least one parameter");
        }
        List<Parameter> out = new ArrayList<>();
        for (String name : inFileOrder(obj, "keyfields.")) {
            String path = "keyfields." + quoteKey(name);
            fieldName(path, name, "keyfield");
            ConfigValue v = c.getValue(path);
            if (v.valueType() != ConfigValueType.OBJECT) {
                throw at(c, path, "expected an object { type = ..., values = ... }, found " + typeName(v));
            }
            Config f = c.getConfig(path);
            if (!f.hasPath("type")) {
                throw at(c, path, "missing 'type' (one of int, long, double, string, boolean)");
            }
            FieldType type = fieldType(path + ".type", f.getValue("type"));
            // without values (a conditional grid): its rows come from fill --combinations or --from
            List<Object> values = f.hasPath("values") ? ValueReader.values(c, path + ".values", type) : List.of();
            out.add(new Parameter(name, type, values));
        }
        return Collections.unmodifiableList(out);
    }

    LinkedHashMap<String, FieldType> resultfields() {
        LinkedHashMap<String, FieldType> out = new LinkedHashMap<>();
        ConfigObject obj = c.getObject("resultfields");
        for (String name : inFileOrder(obj, "resultfields.")) {
            String path = "resultfields." + quoteKey(name);
            fieldName(path, name, "result field");
            out.put(name, fieldType(path, c.getValue(path)));
        }
        return out;
    }

    /** Whether a keyfield or result field of this name has been read. */
    boolean declared(String name) {
        return seen.containsKey(name);
    }

    LinkedHashMap<String, LinkedHashMap<String, FieldType>> logtables(String table) {
        LinkedHashMap<String, LinkedHashMap<String, FieldType>> out = new LinkedHashMap<>();
        ConfigObject obj = c.getObject("logtables");
        List<String> names = new ArrayList<>(obj.keySet());
        names.sort(Comparator.comparingInt((String k) -> obj.get(k).origin().lineNumber())
                .thenComparing(k -> k));
        for (String name : names) {
            String path = "logtables." + quoteKey(name);
            identifier(c, path, name);
            if (name.equals("attempts")) {
                throw at(c, path, "'attempts' is the built-in table of attempts; choose another name");
            }
            if (name.equals("energy")) {
                throw at(c, path, "'energy' is the built-in table of energy per attempt; choose another name");
            }
            if (c.getValue(path).valueType() != ConfigValueType.OBJECT) {
                throw at(c, path, "expected an object of column = type, found " + typeName(c.getValue(path)));
            }
            ConfigObject cols = c.getObject(path);
            if (cols.isEmpty()) {
                throw at(c, path, "a log table needs at least one column");
            }
            LinkedHashMap<String, FieldType> types = new LinkedHashMap<>();
            for (String col : inFileOrder(cols, path + ".")) {
                String cp = path + "." + quoteKey(col);
                identifier(c, cp, col);
                if (LOG_TABLE_COLUMNS.contains(col)) {
                    throw at(c, cp, "'" + col + "' is a built-in column of log tables; choose another name");
                }
                types.put(col, fieldType(cp, c.getValue(cp)));
            }
            out.put(name, types);
        }
        return out;
    }

    /**
     * HOCON objects do not keep key order, but column order should follow the file: sort by
     * where each key stands in the text (line, then column), falling back to line numbers.
     */
    private List<String> inFileOrder(ConfigObject obj, String prefix) {
        List<String> keys = new ArrayList<>(obj.keySet());
        keys.sort(Comparator.comparingLong((String k) ->
                        order.getOrDefault(prefix + k, obj.get(k).origin().lineNumber() * 100_000L))
                .thenComparing(k -> k));
        return keys;
    }

    /** For each keyfield and result field, line * 100000 + the column where its name first appears. */
    static Map<String, Long> orderInText(Config parsed, String text) {
        String[] lines = text.split("\n", -1);
        Map<String, Long> out = new HashMap<>();
        List<String> sections = new ArrayList<>(List.of("keyfields", "resultfields"));
        if (parsed.hasPath("logtables") && parsed.getValue("logtables").valueType() == ConfigValueType.OBJECT) {
            for (String l : parsed.getObject("logtables").keySet()) {
                sections.add("logtables." + quoteKey(l));
            }
        }
        for (String section : sections) {
            if (!parsed.hasPath(section) || parsed.getValue(section).valueType() != ConfigValueType.OBJECT) {
                continue;
            }
            ConfigObject obj = parsed.getObject(section);
            for (String k : obj.keySet()) {
                int line = obj.get(k).origin().lineNumber();
                long col = 99_999;
                if (line >= 1 && line <= lines.length) {
                    Matcher m = Pattern.compile("(^|[\\s{,\"])" + Pattern.quote(k) + "\"?\\s*[={:]")
                            .matcher(lines[line - 1]);
                    if (m.find()) {
                        col = m.start();
                    }
                }
                out.put(section + "." + k, line * 100_000L + col);
            }
        }
        return out;
    }

    /** The field order of a config already read, for a copy of it read from its resolved JSON. */
    static Map<String, Long> orderOf(ExperimentConfig config) {
        Map<String, Long> keep = new HashMap<>();
        long i = 0;
        for (Parameter p : config.keyfields()) {
            keep.put("keyfields." + p.name(), i++);
        }
        for (String r : config.resultfields().keySet()) {
            keep.put("resultfields." + r, i++);
        }
        for (Map.Entry<String, Map<String, FieldType>> l : config.logtables().entrySet()) {
            for (String col : l.getValue().keySet()) {
                keep.put("logtables." + l.getKey() + "." + col, i++);
            }
        }
        return keep;
    }

    private void fieldName(String path, String name, String what) {
        identifier(c, path, name);
        if (ExperimentConfig.BUILT_IN_COLUMNS.contains(name)) {
            throw at(c, path, "'" + name + "' is a built-in column of the experiment table; choose another name");
        }
        String previous = seen.putIfAbsent(name, what);
        if (previous != null) {
            throw at(c, path, "duplicate name '" + name + "': already declared as a " + previous);
        }
    }

    private FieldType fieldType(String path, ConfigValue v) {
        if (v.valueType() != ConfigValueType.STRING) {
            throw at(c, path, "expected a type name (int, long, double, string, boolean), found " + typeName(v));
        }
        String s = ((String) v.unwrapped()).trim().toLowerCase(Locale.ROOT);
        FieldType t = FieldType.fromConfigName(s);
        if (t == null) {
            throw at(
                    c,
                    path,
                    "unknown type '" + v.unwrapped() + "'; expected one of int, long, double, string, boolean");
        }
        return t;
    }

    /** The database of the config, or null while its URL is not one (reported on its own). */
    private static DatabaseKind databaseOf(Config c) {
        try {
            return c.hasPath("database.url") ? DatabaseKind.forUrl(c.getString("database.url")) : null;
        } catch (com.typesafe.config.ConfigException e) {
            return null;
        }
    }

    static String identifier(Config c, String path, String name) {
        if (!TableNames.isIdentifier(name)) {
            throw at(
                    c,
                    path,
                    "'" + name + "' is not a safe SQL identifier: use lower-case letters, digits and _,"
                            + " starting with a letter, at most 63 characters");
        }
        if (RESERVED.contains(name)) {
            throw at(c, path, "'" + name + "' is a reserved SQL word; choose another name");
        }
        DatabaseKind db = databaseOf(c);
        if (db != null && db.isReserved(name)) {
            throw at(c, path, "'" + name + "' is a reserved word in " + db.displayName() + "; choose another name");
        }
        return name;
    }
}
