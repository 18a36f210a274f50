// The value of the experiment section: a command run once per row instead of an experiment class.
package org.experimenter.config;

import java.io.Serializable;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a command experiment runs: the argument templates (placeholders checked at load), the
 * shell switch, the working directory, extra environment variables, how often its events are
 * streamed to the table, how long SIGTERM is given before SIGKILL, and where each row's files go.
 *
 * @param command the program and its arguments, each with {@code {name}} placeholders; with
 *     {@code shell} the elements are joined with spaces into one script for {@code /bin/sh -c}
 * @param workingDir the process's working directory, or empty for the executor's
 * @param environment extra variables, values with placeholders, in file order
 * @param runDir where {@code <table>/<id>/} of each row goes, relative to the executor's working directory
 */
public record CommandSettings(
        List<String> command,
        boolean shell,
        String workingDir,
        Map<String, String> environment,
        Duration streamInterval,
        Duration killGrace,
        String runDir)
        implements Serializable {
    public CommandSettings {
        command = List.copyOf(command);
        environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
    }
}
