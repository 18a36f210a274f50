package org.experimenter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** experimenter slurm's command line without a cluster: --print, refusals, hostnames. */
class SlurmCommandTest {
    static final Path ROOT = Path.of("").toAbsolutePath();

    static Path config(Path dir) throws Exception {
        Path conf = dir.resolve("my conf's.conf");
        Files.writeString(
                conf,
                "include file(\"" + ROOT.resolve("conf/example.conf") + "\")\n" + "database { url = \"jdbc:sqlite:"
                        + dir.resolve("x.db") + "\", table = slurm_cli }\n");
        return conf;
    }

    static String[] withHome(String... args) {
        String before = System.getProperty("experimenter.home");
        System.setProperty("experimenter.home", ROOT.toString());
        try {
            return MainTest.run(args);
        } finally {
            if (before == null) {
                System.clearProperty("experimenter.home");
            } else {
                System.setProperty("experimenter.home", before);
            }
        }
    }

    @Test
    void printWritesTheScriptWithTheOptionsAfterTheDoubleDash(@TempDir Path dir) throws Exception {
        Path conf = config(dir);
        String[] r = withHome(
                "slurm",
                "run",
                "-c",
                conf.toString(),
                "-N",
                "2",
                "--cpus-per-node",
                "8",
                "-t",
                "2:00:00",
                "-p",
                "cpu",
                "--print",
                "--",
                "--requeue",
                "--mail-type=END");
        assertEquals("0", r[0], r[2]);
        for (String line : new String[] {
            "#SBATCH --job-name=experimenter-slurm_cli",
            "#SBATCH --nodes=2",
            "#SBATCH --cpus-per-task=8",
            "#SBATCH --time=2:00:00",
            "#SBATCH --partition=cpu",
            // the config's shutdown-grace (30 s by default) + 60
            "#SBATCH --signal=B:TERM@90",
            "#SBATCH --requeue",
            "#SBATCH --mail-type=END",
            "EXPERIMENTER_HOME='" + ROOT + "'",
            "EXPERIMENTER_CONFIG='" + conf.toString().replace("'", "'\\''") + "'"
        }) {
            assertTrue(r[1].contains("\n" + line + "\n"), line + " in\n" + r[1]);
        }
        assertTrue(Files.list(dir).noneMatch(p -> p.toString().endsWith(".sbatch")), "--print writes no file");
    }

    @Test
    void badValuesEndAsOneLineAndNothingIsWritten(@TempDir Path dir) throws Exception {
        Path conf = config(dir);
        String[] r = withHome(
                "slurm",
                "run",
                "-c",
                conf.toString(),
                "--script",
                dir.resolve("job.sbatch").toString(),
                "--",
                "--comment=$(touch " + dir.resolve("pwned") + ")");
        assertEquals("1", r[0]);
        assertTrue(r[2].startsWith("error: slurm run: sbatch option \"--comment=$(touch "), r[2]);
        assertEquals(1, r[2].strip().lines().count(), r[2]);
        r = withHome("slurm", "run", "-c", conf.toString(), "--time", "4:00:00; id");
        assertEquals("1", r[0]);
        assertTrue(r[2].startsWith("error: slurm run: --time \"4:00:00; id\""), r[2]);
        assertTrue(Files.list(dir).noneMatch(p -> p.toString().endsWith(".sbatch") || p.endsWith("pwned")));
        r = MainTest.run("slurm", "run", "-c", conf.toString(), "--print");
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("run it as scripts/experimenter slurm run"), r[2]);
    }

    @Test
    void aRelativeSqlitePathIsRefusedSinceExecutorsRunElsewhere() {
        String[] r =
                withHome("slurm", "run", "-c", ROOT.resolve("conf/example.conf").toString(), "--print");
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("database.url: the SQLite file results/example.db is a relative path"), r[2]);
        assertEquals(1, r[2].strip().lines().count(), r[2]);
    }

    @Test
    void hostnamesExpandsAHostlist() {
        String[] r = MainTest.run("slurm", "hostnames", "c[1-3,5],d7,n[01-02]");
        assertEquals("0", r[0], r[2]);
        assertEquals("c1\nc2\nc3\nc5\nd7\nn01\nn02\n", r[1]);
        r = MainTest.run("slurm", "hostnames", "n[3-1]");
        assertEquals("1", r[0]);
        assertEquals("error: hostlist \"n[3-1]\": the range '3-1' ends before it starts\n", r[2]);
    }
}
