package org.experimenter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.experimenter.Experimenter;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.python.PythonExperiment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** import-pyexperimenter --function writes the python block; without it, the command says what is missing. */
class ImportFunctionTest {
    private static final String YML = "src/test/resources/pyexperimenter/general_usage.yml";

    @TempDir
    Path dir;

    @Test
    void withFunctionTheWrittenConfigRunsThatFunction() throws Exception {
        Path out = dir.resolve("general.conf");
        String[] r = MainTest.run(
                "import-pyexperimenter", YML, "--output", out.toString(), "--function", "experiments/svc.py:run_ml");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("--function experiments/svc.py:run_ml: experiment.python.function"), r[1]);
        assertFalse(r[1].contains("has no experiment"), r[1]);
        ExperimentConfig c = ExperimentConfig.load(out);
        assertEquals("experiments/svc.py:run_ml", c.python().function());
        assertTrue(Experimenter.of(c).experimentFromConfig() instanceof PythonExperiment);
    }

    @Test
    void withoutFunctionItSaysTheConfigHasNoExperimentAndHowToAddOne() throws Exception {
        Path out = dir.resolve("general.conf");
        String[] r = MainTest.run("import-pyexperimenter", YML, "--output", out.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(
                r[1].contains("note: the written config has no experiment: run would fail until it names one."
                        + " Import again with --function FILE.py:FUNCTION"),
                r[1]);
        assertTrue(r[1].contains("experiment { python { function = \"FILE.py:FUNCTION\" } }"), r[1]);
        assertEquals(null, ExperimentConfig.load(out).python());
    }

    @Test
    void aFunctionWithoutItsNameIsRefusedNamingTheOption() throws Exception {
        Path out = dir.resolve("general.conf");
        String[] r = MainTest.run("import-pyexperimenter", YML, "--output", out.toString(), "--function", "svc.py");
        assertEquals("1", r[0], r[1] + r[2]);
        assertTrue(
                r[2].contains(
                        "--function svc.py: \"svc.py\" names no function: expected <file.py or module>:<function>"),
                r[2]);
        assertFalse(Files.exists(out));
    }
}
