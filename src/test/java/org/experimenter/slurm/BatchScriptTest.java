package org.experimenter.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.experimenter.ExperimenterException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The script experimenter slurm run writes: its #SBATCH lines, and hostile values quoted or refused. */
class BatchScriptTest {
    static final Path HOME = Path.of("/opt/experimenter");

    static SlurmJob job(Path config, String time, String partition, List<String> options) {
        return new SlurmJob(HOME, config, "experimenter-knn", 2, 4, 1, time, partition, 90, options);
    }

    @Test
    void theScriptAsksSlurmForTheNodesTheLimitAndASignalBeforeIt() throws Exception {
        String s = BatchScript.render(job(Path.of("/data/my.conf"), "4:00:00", "gpu", List.of("--requeue")));
        for (String line : List.of(
                "#SBATCH --job-name=experimenter-knn",
                "#SBATCH --nodes=2",
                "#SBATCH --ntasks-per-node=1",
                "#SBATCH --cpus-per-task=4",
                "#SBATCH --gpus-per-node=1",
                "#SBATCH --time=4:00:00",
                "#SBATCH --partition=gpu",
                "#SBATCH --signal=B:TERM@90",
                "#SBATCH --requeue",
                "EXPERIMENTER_HOME='/opt/experimenter'",
                "EXPERIMENTER_CONFIG='/data/my.conf'")) {
            assertTrue(s.contains("\n" + line + "\n"), line + " in\n" + s);
        }
        // bash reads it (syntax only)
        assertEquals("", bash(List.of("-n"), s));
    }

    /** A config path with quotes, $(...), backquotes and a newline reaches the script as exactly itself. */
    @Test
    void hostilePathsAreQuotedNeverRun(@TempDir Path dir) throws Exception {
        Path canary = dir.resolve("pwned");
        String hostile = dir + "/it's \"$(touch " + canary + ")\" `touch " + canary + "` $HOME\nrm -rf x; '.conf";
        String settings = BatchScript.settings(job(Path.of(hostile), null, null, List.of()));
        String out = bash(List.of(), settings + "printf '%s' \"$EXPERIMENTER_CONFIG\"\n");
        assertEquals(hostile, out);
        assertFalse(Files.exists(canary), "nothing in the path ran");
        // the whole script stays valid shell
        assertEquals("", bash(List.of("-n"), BatchScript.render(job(Path.of(hostile), null, null, List.of()))));
        assertEquals("'a'\\''b'", BatchScript.quote("a'b"));
    }

    @Test
    void sbatchValuesThatSbatchOrAShellWouldReadDifferentlyAreRefused() {
        Path conf = Path.of("/data/my.conf");
        for (String option : List.of(
                "--comment=a b",
                "--comment=\"x\"",
                "--comment='x'",
                "--comment=$(touch x)",
                "--comment=$HOME",
                "--comment=`id`",
                "--comment=a\\b",
                "--comment=a\nrm -rf /",
                "--comment=a#b",
                "requeue",
                "-")) {
            ExperimenterException e =
                    assertThrows(ExperimenterException.class, () -> job(conf, null, null, List.of(option)), option);
            assertTrue(e.getMessage().startsWith("slurm run: sbatch option"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        }
        assertThrows(ExperimenterException.class, () -> job(conf, "4:00:00\n#SBATCH --x", null, List.of()));
        assertThrows(ExperimenterException.class, () -> job(conf, "$(id)", null, List.of()));
        assertThrows(ExperimenterException.class, () -> job(conf, null, "gpu p", List.of()));
        assertThrows(ExperimenterException.class, () -> job(conf, null, "gpu'", List.of()));
        assertThrows(
                ExperimenterException.class,
                () -> new SlurmJob(HOME, conf, "a'b", 1, null, null, null, null, 90, List.of()));
        assertThrows(
                ExperimenterException.class,
                () -> new SlurmJob(Path.of("/opt/my tool"), conf, "n", 1, null, null, null, null, 90, List.of()));
        assertThrows(
                ExperimenterException.class,
                () -> new SlurmJob(HOME, conf, "n", 0, null, null, null, null, 90, List.of()));
        for (String t : List.of("10", "4:00:00", "1-12", "2-0:30", "1-00:00:00", "UNLIMITED")) {
            job(conf, t, "gpu,cpu", List.of("--mail-type=END", "--constraint=a100&ib", "--output=log-%j.txt"));
        }
    }

    static String bash(List<String> options, String script) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash"));
        cmd.addAll(options);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
