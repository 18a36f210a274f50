package org.experimenter.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.experimenter.InvalidConfigException;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.config.PythonSettings;
import org.junit.jupiter.api.Test;

/** experiment.python is read with its defaults, and each mistake names file, line and key. */
class PythonConfigTest {
    private static final String HEAD = "database.table = t\nkeyfields { seed { type = int, values = [1] } }\n";

    private static ExperimentConfig parse(String experiment) {
        return ExperimentConfig.parse(HEAD + experiment, "my.conf");
    }

    private static String error(String experiment) {
        return assertThrows(InvalidConfigException.class, () -> parse(experiment))
                .getMessage();
    }

    @Test
    void aFunctionIsReadWithTheDefaultsOfTheOtherSettings() {
        PythonSettings s = parse("experiment { python { function = \" experiments/svc.py : run_ml \" } }")
                .python();
        assertEquals(
                new PythonSettings(
                        "experiments/svc.py:run_ml",
                        "python3",
                        List.of(),
                        Map.of(),
                        0,
                        Duration.ofSeconds(60),
                        Duration.ofSeconds(5),
                        "results/runs",
                        List.of()),
                s);
        PythonSettings t = parse(String.join(
                        "\n",
                        "experiment {",
                        "  python { function = \"pkg.svc:run_ml\", interpreter = /usr/bin/python3, path = [lib, src],",
                        "           environment { OMP_NUM_THREADS = 1 }, max-rows-per-worker = 100,",
                        "           worker-idle-timeout = 10m }",
                        "  kill-grace = 2s",
                        "  run-dir = runs",
                        "}"))
                .python();
        assertEquals(
                new PythonSettings(
                        "pkg.svc:run_ml",
                        "/usr/bin/python3",
                        List.of("lib", "src"),
                        Map.of("OMP_NUM_THREADS", "1"),
                        100,
                        Duration.ofMinutes(10),
                        Duration.ofSeconds(2),
                        "runs",
                        List.of()),
                t);
    }

    @Test
    void workerIdleTimeoutZeroOrOffKeepsIdleWorkers() {
        for (String off : List.of("0", "0s", "off", "\"off\"", "OFF")) {
            assertEquals(
                    Duration.ZERO,
                    parse("experiment.python { function = \"svc.py:run\", worker-idle-timeout = " + off + " }")
                            .python()
                            .workerIdleTimeout(),
                    off);
        }
    }

    @Test
    void moreEnvironmentKeepsTheOtherSettingsAndThePackagesToReport() {
        PythonSettings s = parse("provenance.packages = [numpy]\nexperiment.python.function = \"svc.py:run\"")
                .python();
        PythonSettings t = s.withEnvironment(Map.of("CUDA_VISIBLE_DEVICES", "0"));
        assertEquals(List.of("numpy"), t.packages());
        assertEquals(Map.of("CUDA_VISIBLE_DEVICES", "0"), t.environment());
        assertEquals(s.workerIdleTimeout(), t.workerIdleTimeout());
    }

    @Test
    void eachMistakeNamesFileLineAndKey() {
        assertEquals(
                "my.conf: 5: experiment.python.function: \"svc.py\" names no function: expected <file.py or"
                        + " module>:<function>; e.g. \"experiments/svc.py:run_ml\" (a file, relative to where the tool runs)"
                        + " or \"mypackage.svc:run_ml\" (a module on the path)",
                error("experiment {\n python {\n  function = svc.py\n }\n}"));
        assertEquals(
                "my.conf: 5: experiment.python.functon: unknown key; did you mean experiment.python.function?",
                error("experiment {\n python {\n  functon = \"svc.py:run\"\n }\n}"));
        assertEquals(
                "my.conf: 5: experiment.python.function: \"run-ml\" after the colon is no Python function name;"
                        + " e.g. \"experiments/svc.py:run_ml\" (a file, relative to where the tool runs) or"
                        + " \"mypackage.svc:run_ml\" (a module on the path)",
                error("experiment {\n python {\n  function = \"svc.py:run-ml\"\n }\n}"));
        assertEquals(
                "my.conf: 5: experiment.python.function: experiment-class is set too (a.B); a config runs"
                        + " either a class, a command or a Python function",
                error("experiment-class = a.B\nexperiment {\n python.function = \"svc.py:run\"\n}"));
        assertEquals(
                "my.conf: 5: experiment.python.function: experiment.command is set too; a config runs either a"
                        + " command or a Python function",
                error("experiment {\n command = [python3, x.py]\n python.function = \"svc.py:run\"\n}"));
        assertEquals(
                "my.conf: 5: experiment.environment: is for commands; a Python function's workers take"
                        + " experiment.python.environment",
                error("experiment {\n python.function = \"svc.py:run\"\n environment { A = 1 }\n}"));
        assertEquals(
                "my.conf: 6: experiment.python.max-rows-per-worker: must be at least 0 (0: never replace a"
                        + " worker)",
                error("experiment {\n python.function = \"svc.py:run\"\n python {\n  max-rows-per-worker = -1\n }\n}"));
        assertEquals(
                "my.conf: 5: experiment.python.worker-idle-timeout: expected a duration such as 60s, or 0 or off to"
                        + " keep idle workers until the JVM ends; found \"soon\"",
                error("experiment {\n python.function = \"svc.py:run\"\n python.worker-idle-timeout = soon\n}"));
        assertEquals(
                "my.conf: 5: experiment.python.worker-idle-timeout: expected a duration such as 60s, or 0 or off to"
                        + " keep idle workers until the JVM ends; found \"-5s\"",
                error("experiment {\n python.function = \"svc.py:run\"\n python.worker-idle-timeout = -5s\n}"));
        assertEquals(
                "my.conf: 5: experiment.python.worker-idle-timeout: expected a duration such as 60s, or 0 or off to"
                        + " keep idle workers until the JVM ends; found false",
                error("experiment {\n python.function = \"svc.py:run\"\n python.worker-idle-timeout = false\n}"));
    }
}
