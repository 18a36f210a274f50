package org.experimenter.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Python helper run by hand, outside the tool: defaults, the command line over them, results printed. */
class PythonHelperTest {
    @Test
    void runByHandTheHelperTakesDefaultsOverriddenByTheCommandLineAndPrintsResults() throws Exception {
        String script = String.join(
                "\n",
                "import experimenter",
                "p = experimenter.params(kernel='rbf', seed=0, c=1.0, verbose=False)",
                "print(sorted(p.items()))",
                "print(experimenter.managed(), experimenter.attempt(), experimenter.row_id(), experimenter.stopping())",
                "experimenter.log('epochs', epoch=1)",
                "experimenter.result(accuracy=0.5, name='ü')");
        ProcessBuilder pb = new ProcessBuilder(
                CommandExperimentContractTest.python(),
                "-c",
                script,
                "--seed",
                "3",
                "--kernel=linear",
                "--c=0.5",
                "--verbose",
                "--extra",
                "7");
        pb.environment()
                .put(
                        "PYTHONPATH",
                        Path.of("src", "main", "python").toAbsolutePath().toString());
        pb.environment().keySet().removeIf(k -> k.startsWith("EXPERIMENTER_"));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        assertEquals(0, p.exitValue(), out);
        assertEquals(
                List.of(
                        "[('c', 0.5), ('extra', 7), ('kernel', 'linear'), ('seed', 3), ('verbose', True)]",
                        "False 1 None False",
                        "experimenter: log epochs {\"epoch\": 1}",
                        "experimenter: result {\"accuracy\": 0.5, \"name\": \"ü\"}"),
                out.lines().toList());
    }
}
