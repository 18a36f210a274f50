// The keys a command and a Python function's workers share: their environment, kill grace and run folder.
package org.experimenter.config;

import static org.experimenter.config.ConfigReader.at;
import static org.experimenter.config.ConfigReader.typeName;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads and checks the settings of the child processes an experiment runs, whatever their kind. */
final class ProcessKeys {
    private ProcessKeys() {}

    /** The variables of {@code key} (an object of names to strings, numbers or booleans), in order. */
    static Map<String, String> environment(Config c, String key) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigValue> e : c.getObject(key).entrySet()) {
            String at = key + "." + ConfigReader.quoteKey(e.getKey());
            ConfigValueType t = e.getValue().valueType();
            if (t != ConfigValueType.STRING && t != ConfigValueType.NUMBER && t != ConfigValueType.BOOLEAN) {
                throw at(c, at, "expected a string, found a " + typeName(e.getValue()));
            }
            if (e.getKey().isEmpty() || e.getKey().contains("=")) {
                throw at(c, at, "not a valid environment variable name");
            }
            env.put(e.getKey(), String.valueOf(e.getValue().unwrapped()));
        }
        return env;
    }

    /** {@code experiment.kill-grace}: how long a stopped process has to end before it is killed. */
    static Duration killGrace(Config c) {
        Duration killGrace = c.getDuration("experiment.kill-grace");
        if (killGrace.isNegative()) {
            throw at(c, "experiment.kill-grace", "must not be negative");
        }
        return killGrace;
    }

    /** {@code experiment.run-dir}: the folder under which each row gets a folder of its own. */
    static String runDir(Config c) {
        String runDir = c.getString("experiment.run-dir").trim();
        if (runDir.isEmpty()) {
            throw at(c, "experiment.run-dir", "must not be empty");
        }
        return runDir;
    }
}
