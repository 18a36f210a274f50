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
                        Duration.ofSeconds(5),
                        "results/runs"),
                s);
        PythonSettings t = parse(String.join(
                        "\n",
                        "experiment {",
                        "  python { function = \"pkg.svc:run_ml\", interpreter = /usr/bin/python3, path = [lib, src],",
                        "           environment { OMP_NUM_THREADS = 1 }, max-rows-per-worker = 100 }",
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
                        Duration.ofSeconds(2),
                        "runs"),
                t);
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
    }
}
