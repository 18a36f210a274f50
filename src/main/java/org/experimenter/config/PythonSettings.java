// The value of experiment.python: a Python function called once per row by long-lived workers.
package org.experimenter.config;

import java.io.Serializable;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a Python function experiment runs. Equal settings share the workers of a JVM: the record
 * is the key of the worker pool, so it holds only what a started worker depends on.
 *
 * @param function {@code <file.py or module>:<name>}, a file relative to the executor's working
 *     directory (where the tool runs in local mode)
 * @param interpreter the Python program, looked up on PATH when it has no slash
 * @param path extra {@code sys.path} entries, before the environment's PYTHONPATH
 * @param environment extra environment variables of the worker, in file order
 * @param maxRowsPerWorker a worker is replaced after this many rows; 0 means never
 * @param workerIdleTimeout a worker that ran no row for this long ends (the next row starts a
 *     new one); zero means never
 * @param killGrace how long SIGTERM is given before SIGKILL when a worker's tree is ended
 * @param runDir where {@code <table>/<id>/} of each row goes (stdout.txt, stderr.txt, scratch/)
 *     and {@code python-workers/}, the workers' own output outside rows
 * @param packages top-level packages whose versions the worker reports (provenance.packages)
 */
public record PythonSettings(
        String function,
        String interpreter,
        List<String> path,
        Map<String, String> environment,
        int maxRowsPerWorker,
        Duration workerIdleTimeout,
        Duration killGrace,
        String runDir,
        List<String> packages)
        implements Serializable {
    public PythonSettings {
        path = List.copyOf(path);
        environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
        packages = List.copyOf(packages);
    }

    /**
     * The same with more environment variables, which win: a row's GPUs and memory. Workers are
     * pooled by settings, so a worker started for one task's GPUs never serves a task with others.
     */
    public PythonSettings withEnvironment(Map<String, String> more) {
        if (more.isEmpty()) {
            return this;
        }
        Map<String, String> env = new LinkedHashMap<>(environment);
        env.putAll(more);
        return new PythonSettings(
                function, interpreter, path, env, maxRowsPerWorker, workerIdleTimeout, killGrace, runDir, packages);
    }
}
