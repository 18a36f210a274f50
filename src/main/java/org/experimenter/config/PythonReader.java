// Reading and checking experiment.python (a Python function instead of a class or a command).
package org.experimenter.config;

import static org.experimenter.config.ConfigReader.at;
import static org.experimenter.config.ConfigReader.typeName;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads {@code experiment { python { function = "train.py:run_ml", ... } }}. The function's
 * form is checked here, so that a typo fails the load naming file, line and key; whether the
 * file imports is known only where it runs (an executor), and fails every row at once there.
 */
final class PythonReader {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern MODULE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");

    private PythonReader() {}

    /** The python settings, or null when the config names no function. */
    static PythonSettings read(Config c, String experimentClass) {
        String key = "experiment.python.function";
        if (!c.hasPath(key)) {
            return null;
        }
        if (c.getValue(key).valueType() != ConfigValueType.STRING) {
            throw at(
                    c,
                    key,
                    "expected a string \"<file.py or module>:<function>\", found a " + typeName(c.getValue(key)));
        }
        String function = checkFunction(c, key, c.getString(key).trim());
        if (!experimentClass.isEmpty()) {
            throw at(
                    c,
                    key,
                    "experiment-class is set too (" + experimentClass
                            + "); a config runs either a class, a command or a Python function");
        }
        if (c.hasPath("experiment.command")) {
            throw at(c, key, "experiment.command is set too; a config runs either a command or a Python function");
        }
        if (!c.getObject("experiment.environment").isEmpty()) {
            throw at(
                    c,
                    "experiment.environment",
                    "is for commands; a Python function's workers take" + " experiment.python.environment");
        }
        String interpreter = c.getString("experiment.python.interpreter").trim();
        if (interpreter.isEmpty()) {
            throw at(c, "experiment.python.interpreter", "must not be empty; e.g. python3 or /usr/bin/python3");
        }
        List<String> path = new ArrayList<>();
        List<? extends ConfigValue> entries;
        if (c.getValue("experiment.python.path").valueType() != ConfigValueType.LIST) {
            throw at(
                    c,
                    "experiment.python.path",
                    "expected a list of folders, found a " + typeName(c.getValue("experiment.python.path")));
        }
        entries = c.getList("experiment.python.path");
        for (int i = 0; i < entries.size(); i++) {
            ConfigValue v = entries.get(i);
            if (v.valueType() != ConfigValueType.STRING || ((String) v.unwrapped()).isBlank()) {
                throw at(c, "experiment.python.path", "element " + (i + 1) + " is no folder name: " + v.render());
            }
            path.add((String) v.unwrapped());
        }
        Map<String, String> env = ProcessKeys.environment(c, "experiment.python.environment");
        int maxRows = c.getInt("experiment.python.max-rows-per-worker");
        if (maxRows < 0) {
            throw at(c, "experiment.python.max-rows-per-worker", "must be at least 0 (0: never replace a worker)");
        }
        Duration idleTimeout = idleTimeout(c, "experiment.python.worker-idle-timeout");
        var killGrace = ProcessKeys.killGrace(c);
        String runDir = ProcessKeys.runDir(c);
        return new PythonSettings(
                function,
                interpreter,
                path,
                env,
                maxRows,
                idleTimeout,
                killGrace,
                runDir,
                c.getStringList("provenance.packages"));
    }

    /** A duration, or 0 / off for none. */
    private static Duration idleTimeout(Config c, String key) {
        ConfigValue v = c.getValue(key);
        if (v.valueType() == ConfigValueType.STRING
                && ((String) v.unwrapped()).trim().equalsIgnoreCase("off")) {
            return Duration.ZERO;
        }
        Duration d;
        try {
            d = c.getDuration(key);
        } catch (ConfigException.BadValue | ConfigException.WrongType e) {
            d = null;
        }
        if (d == null || d.isNegative()) {
            throw at(
                    c,
                    key,
                    "expected a duration such as 60s, or 0 or off to keep idle workers until the JVM ends;" + " found "
                            + v.render());
        }
        return d;
    }

    /** The function as target:name without blanks around either; throws saying what is wrong. */
    private static String checkFunction(Config c, String key, String function) {
        int colon = function.lastIndexOf(':');
        String example = "; e.g. \"experiments/svc.py:run_ml\" (a file, relative to where the tool runs)"
                + " or \"mypackage.svc:run_ml\" (a module on the path)";
        if (colon < 0) {
            throw at(
                    c,
                    key,
                    "\"" + function + "\" names no function: expected <file.py or module>:<function>" + example);
        }
        String target = function.substring(0, colon).trim();
        String name = function.substring(colon + 1).trim();
        if (!IDENTIFIER.matcher(name).matches()) {
            throw at(c, key, "\"" + name + "\" after the colon is no Python function name" + example);
        }
        boolean file = target.endsWith(".py") || target.contains("/");
        if (target.isEmpty() || (!file && !MODULE.matcher(target).matches())) {
            throw at(c, key, "\"" + target + "\" before the colon is neither a .py file nor a module name" + example);
        }
        return target + ":" + name;
    }
}
