// Reading and checking the resources section (GPUs, cores and memory per row, and escalation).
package org.experimenter.config;

import static org.experimenter.config.ConfigReader.at;
import static org.experimenter.config.ConfigReader.typeName;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.experimenter.InvalidConfigException;

/**
 * Reads {@code resources { gpus = 1, cpus = 2, memory = 8g, escalate = [{memory = 16g}] }}. Only
 * memory escalates: GPUs and cores are Spark's task request, the same for every task of a run.
 */
final class ResourcesReader {
    private ResourcesReader() {}

    static ResourceSettings read(Config c, int maxAttempts) {
        return read(c, "resources", maxAttempts);
    }

    /**
     * {@code stages { 2 { resources { gpus = 1 } } }}: per stage number, the resources of a run of
     * that stage ({@code run --stage 2}); what a stage's section leaves out is the top-level
     * resources section's. Empty when the config has no stages section.
     */
    static Map<Integer, ResourceSettings> readStages(Config c, int maxAttempts) {
        Map<Integer, ResourceSettings> out = new TreeMap<>();
        if (!c.hasPath(STAGES)) {
            return out;
        }
        if (c.getValue(STAGES).valueType() != ConfigValueType.OBJECT) {
            throw at(
                    c,
                    STAGES,
                    "expected a section such as { 2 { resources { gpus = 1 } } }, found a "
                            + typeName(c.getValue(STAGES)));
        }
        Map<Integer, String> spelled = new HashMap<>(); // how each stage was written, for a stage given twice
        for (Map.Entry<String, ConfigValue> e : c.getObject(STAGES).entrySet()) {
            String name = e.getKey();
            String path = STAGES + "." + name;
            int stage;
            try {
                stage = Integer.parseInt(name);
            } catch (NumberFormatException x) {
                stage = 0;
            }
            if (stage < 1) {
                throw new InvalidConfigException(
                        e.getValue().origin().description() + ": " + path
                                + ": a stage is a whole number from 1 (the grid) up, e.g. stages { 2 { resources { gpus = 1 } } }");
            }
            if (out.containsKey(stage)) {
                throw new InvalidConfigException(e.getValue().origin().description() + ": " + path
                        + ": stage " + stage + " is given twice (" + spelled.get(stage) + " and " + name
                        + "); give each stage once");
            }
            spelled.put(stage, name);
            if (e.getValue().valueType() != ConfigValueType.OBJECT) {
                throw at(
                        c,
                        path,
                        "expected a section such as { resources { gpus = 1 } }, found a " + typeName(e.getValue()));
            }
            String section = path + ".resources";
            if (!c.hasPath(section) || c.getValue(section).valueType() != ConfigValueType.OBJECT) {
                throw at(
                        c,
                        c.hasPath(section) ? section : path,
                        "expected resources { ... }, e.g. " + path + " { resources { gpus = 1 } }");
            }
            // what the stage leaves out is the top-level section's, whose values keep their own origin
            Config merged = c.withValue(section, c.getObject(section).withFallback(c.getObject("resources")));
            out.put(stage, read(merged, section, maxAttempts));
        }
        return out;
    }

    private static final String STAGES = "stages";

    /** The resources section at prefix ({@code resources}, or {@code stages.2.resources}). */
    private static ResourceSettings read(Config c, String prefix, int maxAttempts) {
        int gpus = whole(c, prefix + ".gpus", 0, "0 for none");
        int cpus = whole(c, prefix + ".cpus", 1, "Spark's task.cpus");
        long memory = bytes(c, prefix + ".memory", prefix + ".memory");
        Resources base = new Resources(gpus, cpus, memory);
        String escalate = prefix + ".escalate";
        if (c.getValue(escalate).valueType() != ConfigValueType.LIST) {
            throw at(
                    c,
                    escalate,
                    "expected a list of larger memory settings, e.g. [{memory = 16g}, {memory = 32g}], found a "
                            + typeName(c.getValue(escalate)));
        }
        List<Resources> levels = new ArrayList<>();
        long previous = memory;
        List<? extends ConfigValue> entries = c.getList(escalate);
        for (int i = 0; i < entries.size(); i++) {
            String key = escalate + "[" + i + "]";
            ConfigValue v = entries.get(i);
            if (v.valueType() != ConfigValueType.OBJECT) {
                throw new InvalidConfigException(v.origin().description() + ": " + key
                        + ": expected an object such as {memory = 16g}, found a " + typeName(v));
            }
            ConfigObject o = (ConfigObject) v;
            for (String k : o.keySet()) {
                if (!k.equals("memory")) {
                    throw new InvalidConfigException(o.get(k).origin().description() + ": " + key + "." + k
                            + ": only memory escalates (GPUs and cores are Spark's task request, the same for"
                            + " every row of a run)");
                }
            }
            if (!o.containsKey("memory")) {
                throw new InvalidConfigException(
                        v.origin().description() + ": " + key + ": missing memory, e.g. {memory = 16g}");
            }
            long m = bytes(o.toConfig(), "memory", key + ".memory");
            if (m <= previous) {
                throw new InvalidConfigException(o.get("memory").origin().description() + ": " + key
                        + ".memory: must be larger than the level before (" + Resources.size(previous) + "), found "
                        + Resources.size(m));
            }
            previous = m;
            levels.add(base.withMemory(m));
        }
        if (!levels.isEmpty() && maxAttempts <= levels.size()) {
            throw at(
                    c,
                    escalate,
                    levels.size() + " larger levels need max-attempts of at least " + (levels.size() + 1)
                            + " (each level is an attempt), found " + maxAttempts);
        }
        return new ResourceSettings(base, levels);
    }

    private static int whole(Config c, String path, int min, String hint) {
        ConfigValue v = c.getValue(path);
        if (v.valueType() != ConfigValueType.NUMBER
                || !(v.unwrapped() instanceof Integer || v.unwrapped() instanceof Long)) {
            throw at(c, path, "expected a whole number (" + hint + "), found " + v.render());
        }
        long n = ((Number) v.unwrapped()).longValue();
        if (n < min || n > 1024) {
            throw at(c, path, "must be between " + min + " and 1024, found " + n);
        }
        return (int) n;
    }

    /** A size such as 8g or 512m at path of c, named key in messages; 0 means not set. */
    private static long bytes(Config c, String path, String key) {
        String where = c.getValue(path).origin().description();
        long b;
        try {
            b = c.getBytes(path);
        } catch (ConfigException.BadValue | ConfigException.WrongType e) {
            throw new InvalidConfigException(where + ": " + key + ": expected a size such as 8g or 512m, found "
                    + c.getValue(path).render());
        }
        if (b < 0) {
            throw new InvalidConfigException(where + ": " + key + ": must not be negative");
        }
        return b;
    }
}
