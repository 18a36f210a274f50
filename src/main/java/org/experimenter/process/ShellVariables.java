package org.experimenter.process;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The variables a shell changes from one command to the next ({@code _}, {@code SHLVL}, {@code
 * OLDPWD}, {@code COLUMNS}, {@code LINES}), which the tool itself never reads. A daemon serves
 * command lines that differ in them alone, and has the values of the one that started it; while
 * it runs a command, the processes that command's experiments start get the values of its command
 * line instead, and none that command line did not have: in the daemon's JVM, and in the executor
 * JVMs of a local-cluster master, which the daemon starts with its own values (the command's
 * tasks carry the values there).
 */
public final class ShellVariables {
    public static final Set<String> NAMES = Set.of("_", "SHLVL", "OLDPWD", "COLUMNS", "LINES");

    /** The running command's command line's values; null: this JVM's own. */
    private static volatile Map<String, String> command;

    private ShellVariables() {}

    /** This JVM's values of the variables it has. */
    public static Map<String, String> ofThisProcess() {
        Map<String, String> out = new TreeMap<>();
        for (String name : NAMES) {
            String value = System.getenv(name);
            if (value != null) {
                out.put(name, value);
            }
        }
        return out;
    }

    /** The running command's command line's values; null outside a daemon's command. */
    public static Map<String, String> ofRunningCommand() {
        return command;
    }

    /** While a daemon runs a command: the values of its command line; null when it ends. */
    public static void useCommandLines(Map<String, String> values) {
        command = values == null ? null : Map.copyOf(values);
    }

    /** Gives a process's environment (this JVM's, before what a config adds) the running command line's values. */
    public static void applyTo(Map<String, String> env) {
        Map<String, String> values = command;
        if (values != null) {
            env.keySet().removeAll(NAMES);
            env.putAll(values);
        }
    }
}
