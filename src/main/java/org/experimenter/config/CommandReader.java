// Reading and checking the experiment section (a command instead of an experiment class).
package org.experimenter.config;

import static org.experimenter.config.ConfigReader.at;
import static org.experimenter.config.ConfigReader.typeName;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code experiment { command = [...], ... }} of a resolved config. Every placeholder must
 * name a keyfield or a macro, so that a typo fails the load naming file, line and key rather
 * than every row of a run.
 */
final class CommandReader {
    private CommandReader() {}

    /** The command settings, or null when the config names no command. */
    static CommandSettings read(Config c, Set<String> keyfields, String experimentClass) {
        if (!c.hasPath("experiment.command")) {
            return null;
        }
        ConfigValue value = c.getValue("experiment.command");
        boolean shell = c.getBoolean("experiment.shell");
        List<String> command = new ArrayList<>();
        if (value.valueType() == ConfigValueType.STRING) {
            if (!shell) {
                throw at(
                        c,
                        "experiment.command",
                        "a string runs only with shell = true; give a list, one element per argument,"
                                + " e.g. [\"python3\", \"train.py\", \"--seed\", \"{seed}\"]");
            }
            command.add((String) value.unwrapped());
        } else if (value.valueType() == ConfigValueType.LIST) {
            List<? extends ConfigValue> list = c.getList("experiment.command");
            for (int i = 0; i < list.size(); i++) {
                ConfigValue v = list.get(i);
                ConfigValueType t = v.valueType();
                if (t == ConfigValueType.OBJECT) {
                    throw at(
                            c,
                            "experiment.command",
                            "element " + (i + 1) + " is an object; put placeholders in quotes: \"{seed}\"");
                }
                if (t != ConfigValueType.STRING && t != ConfigValueType.NUMBER && t != ConfigValueType.BOOLEAN) {
                    throw at(
                            c,
                            "experiment.command",
                            "element " + (i + 1) + " is a " + typeName(v) + "; expected a string");
                }
                command.add(String.valueOf(v.unwrapped()));
            }
        } else {
            throw at(c, "experiment.command", "expected a list of strings, found a " + typeName(value));
        }
        if (command.isEmpty()) {
            return null;
        }
        if (!experimentClass.isEmpty()) {
            throw at(
                    c,
                    "experiment.command",
                    "experiment-class is set too (" + experimentClass + "); a config runs either a class or a command");
        }
        for (int i = 0; i < command.size(); i++) {
            String problem = Placeholders.check(command.get(i), keyfields, shell);
            if (problem != null) {
                throw at(c, "experiment.command", "element " + (i + 1) + " \"" + command.get(i) + "\": " + problem);
            }
        }
        if (shell) {
            String problem =
                    Placeholders.shellScript(command, List.copyOf(keyfields)).problem();
            if (problem != null) {
                throw at(c, "experiment.command", problem);
            }
        }
        if (command.get(0).isBlank()) {
            throw at(c, "experiment.command", "the first element, the program, is empty");
        }
        Map<String, String> env = ProcessKeys.environment(c, "experiment.environment");
        for (Map.Entry<String, String> e : env.entrySet()) {
            String problem = Placeholders.check(e.getValue(), keyfields, true);
            if (problem != null) {
                throw at(c, "experiment.environment." + ConfigReader.quoteKey(e.getKey()), problem);
            }
        }
        var streamInterval = c.getDuration("experiment.stream-interval");
        if (streamInterval.isNegative() || streamInterval.isZero()) {
            throw at(c, "experiment.stream-interval", "must be a positive duration, e.g. 2s");
        }
        var killGrace = ProcessKeys.killGrace(c);
        String runDir = ProcessKeys.runDir(c);
        return new CommandSettings(
                command, shell, c.getString("experiment.working-dir").trim(), env, streamInterval, killGrace, runDir);
    }
}
