package org.experimenter.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.experimenter.Experimenter;
import org.experimenter.InvalidConfigException;
import org.experimenter.config.CommandSettings;
import org.experimenter.config.ExperimentConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The experiment section: read with its defaults, and every mistake named by file, line and key. */
class CommandConfigTest {
    @TempDir
    Path dir;

    private static final String HEAD = String.join(
            "\n",
            "database { table = runs }",
            "keyfields {",
            "  kernel { type = string, values = [linear, rbf] }",
            "  seed { type = int, values = [1, 2] }",
            "}",
            "resultfields { accuracy = double }",
            "");

    private ExperimentConfig load(String experiment) throws Exception {
        return ExperimentConfig.load(Files.writeString(dir.resolve("exp.conf"), HEAD + experiment));
    }

    private String error(String experiment) throws Exception {
        Path f = Files.writeString(dir.resolve("exp.conf"), HEAD + experiment);
        return assertThrows(InvalidConfigException.class, () -> ExperimentConfig.load(f))
                .getMessage();
    }

    private String at(int line) {
        return dir.resolve("exp.conf") + ": " + line + ": ";
    }

    @Test
    void aCommandIsReadWithItsDefaultsAndBecomesTheExperiment() throws Exception {
        ExperimentConfig c = load(String.join(
                "\n",
                "experiment {",
                "  command = [python3, train.py, --kernel, \"{kernel}\", \"{args}\"]",
                "  environment { OMP_NUM_THREADS = 1, OUT = \"out-{seed}\" }",
                "}"));
        CommandSettings s = c.command();
        assertEquals(List.of("python3", "train.py", "--kernel", "{kernel}", "{args}"), s.command());
        assertEquals(Map.of("OMP_NUM_THREADS", "1", "OUT", "out-{seed}"), s.environment());
        assertEquals(false, s.shell());
        assertEquals("", s.workingDir());
        assertEquals(Duration.ofSeconds(2), s.streamInterval());
        assertEquals(Duration.ofSeconds(5), s.killGrace());
        assertEquals("results/runs", s.runDir());
        assertEquals(
                CommandExperiment.class,
                Experimenter.of(c).experimentFromConfig().getClass());
    }

    @Test
    void withoutACommandThereIsNone() throws Exception {
        assertNull(load("experiment-class = org.experimenter.example.KnnExperiment")
                .command());
    }

    @Test
    void anUnknownPlaceholderFailsTheLoadNamingTheElement() throws Exception {
        assertEquals(
                at(7) + "experiment.command: element 4 \"{sed}\": unknown placeholder {sed}; the keyfields are [kernel,"
                        + " seed], the macros {args}, {id}, {attempt}, {scratch_dir}, {params_file}, {result_file},"
                        + " {events_file} (write {{ and }} for literal braces)",
                error("experiment.command = [python3, train.py, --seed, \"{sed}\"]"));
    }

    @Test
    void aClassAndACommandTogetherAreRefused() throws Exception {
        assertEquals(
                at(8) + "experiment.command: experiment-class is set too (org.example.X); a config runs either a class"
                        + " or a command",
                error("experiment-class = org.example.X\nexperiment.command = [python3, train.py]"));
    }

    @Test
    void aStringCommandNeedsTheShell() throws Exception {
        assertEquals(
                at(7) + "experiment.command: a string runs only with shell = true; give a list, one element per"
                        + " argument, e.g. [\"python3\", \"train.py\", \"--seed\", \"{seed}\"]",
                error("experiment.command = \"python3 train.py\""));
        assertEquals(
                List.of("python3 train.py --seed {seed} | tee log"),
                load("experiment { command = \"python3 train.py --seed {seed} | tee log\", shell = true }")
                        .command()
                        .command());
    }

    @Test
    void argsInsideAnArgumentAndBadSettingsAreRefused() throws Exception {
        assertEquals(
                at(7) + "experiment.command: element 2 \"--all={args}\": {args} expands to several arguments and must"
                        + " be a list element of its own",
                error("experiment.command = [run, \"--all={args}\"]"));
        assertEquals(
                at(7) + "experiment.stream-interval: must be a positive duration, e.g. 2s",
                error("experiment { command = [run]\n stream-interval = 0s }").replace(at(8), at(7)));
        assertEquals(
                at(7) + "experiment.environment.OUT: unknown placeholder {out}; the keyfields are [kernel, seed], the"
                        + " macros {args}, {id}, {attempt}, {scratch_dir}, {params_file}, {result_file}, {events_file}"
                        + " (write {{ and }} for literal braces)",
                error("experiment { command = [run], environment { OUT = \"{out}\" } }"));
    }

    @Test
    void aMisspeltKeyOfTheSectionIsRefusedWithTheKeyMeant() throws Exception {
        assertEquals(
                at(7) + "experiment.comand: unknown key; did you mean experiment.command?",
                error("experiment.comand = [python3, train.py]"));
    }
}
