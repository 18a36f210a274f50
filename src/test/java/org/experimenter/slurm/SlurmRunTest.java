package org.experimenter.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.experimenter.Experimenter;
import org.experimenter.Status;
import org.experimenter.testing.Faults;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.Test;

/**
 * {@code experimenter slurm run} on a real Slurm (the single node scripts/dev/slurm starts: this
 * machine, 127.0.0.1, its CPUs), typed as a user types it: scripts/experimenter in a child
 * process, sbatch, the job's Spark master and worker, the example's 80 rows in a SQLite file.
 * The first job is stopped as {@code experimenter slurm cancel} does (SIGTERM to its batch shell)
 * once rows are done; it ends with no row running and none lost, and a second job, on two nodes (two more
 * slurmd on this machine, partition {@code two}) where scripts/dev/slurm made them, finishes the
 * table.
 */
class SlurmRunTest {
    static final Path ROOT = Path.of("").toAbsolutePath();
    static final Pattern SUBMITTED = Pattern.compile("submitted job (\\d+)");

    @Test
    void scancelMidRunLeavesNoRowRunningAndASecondJobFinishesTheTable() throws Exception {
        assumeSlurm();
        String table = TestDb.uniqueTable("slurm_example");
        Path dir = Files.createDirectories(ROOT.resolve("target/slurm-runs/" + table));
        Path conf = dir.resolve("example.conf");
        // the example's 80 rows, each a command that sleeps the seconds of the file row-seconds: a
        // quarter of a second in the first job (the example's k-NN rows take milliseconds: all 80
        // could be done before the cancel arrives), none in the second, which nobody stops; in a
        // SQLite file of the run folder, a 4 s lease and a short grace
        Path rowSeconds = Files.writeString(dir.resolve("row-seconds"), "0.25\n");
        Files.writeString(
                conf,
                "keyfields {\n"
                        + "  dataset { type = string, values = [blobs, rings] }\n"
                        + "  k { type = int, values = { start = 1, stop = 16, step = 2 } }\n"
                        + "  seed { type = int, values = { start = 0, stop = 5 } }\n"
                        + "}\n"
                        + "resultfields { accuracy = double }\n"
                        + "experiment { command = [sh, -c, \"sleep $(cat '" + rowSeconds
                        + "'); echo '{\\\"accuracy\\\": 1.0}'"
                        + " > \\\"$EXPERIMENTER_RESULT_FILE\\\"\"] }\n"
                        + "spark.master = \"local[*]\"\n"
                        + "database { url = \"jdbc:sqlite:" + dir.resolve("example.db") + "\", table = " + table
                        + " }\n"
                        + "lease { heartbeat-interval = 1s, missed-beats = 4, recovery-interval = 1s }\n"
                        + "shutdown-grace = 5s\n");
        Experimenter ex = Experimenter.load(conf);
        assertEquals(0, cli(dir, "fill", "-c", conf.toString()).code());

        Result first = cli(dir, "slurm", "run", "-c", conf.toString(), "--time", "10");
        String job1 = jobId(first);
        Faults.await("the first job's rows start finishing", Duration.ofMinutes(5), () -> {
            String state = state(job1);
            assertFalse(
                    state.isEmpty() || state.equals("COMPLETED") || state.equals("FAILED"),
                    "job " + job1 + " ended (" + state + ") before it was cancelled: " + output(dir, job1));
            return ex.status().get(Status.DONE) > 0 ? true : null;
        });
        // what `slurm cancel` runs, called here without a JVM start of its own, so that the job is
        // stopped while rows are still open: SIGTERM to the batch shell alone
        assertTrue(SlurmClient.cancel(job1, false), "a running job is stopped gracefully");
        long cancelled = System.nanoTime();
        Map<Status, Long> atCancel = ex.status();
        assertTrue(atCancel.get(Status.DONE) < 80, "the run was cancelled mid-run: " + atCancel);
        awaitEnded(job1);
        // the driver stopped gracefully while the executors were there: the job ends with no row running
        // and none lost (a row running at the cancel finished within the grace, claimed ones went back)
        double seconds = (System.nanoTime() - cancelled) / 1e9;
        Map<Status, Long> after = ex.status();
        String out1 = output(dir, job1);
        System.out.printf("slurm cancel at %s; the job ended %.1f s later: %s%n", atCancel, seconds, after);
        assertEquals(0, after.get(Status.RUNNING), out1);
        assertEquals(0, after.get(Status.ERROR), out1);
        assertEquals(80, after.get(Status.DONE) + after.get(Status.CREATED), after.toString());
        assertTrue(
                after.get(Status.DONE) >= atCancel.get(Status.DONE) + atCancel.get(Status.RUNNING),
                "the rows running at the cancel finished: " + atCancel + " then " + after + "\n" + out1);
        assertTrue(after.get(Status.CREATED) > 0, "rows are left for the second job: " + after);
        assertTrue(out1.contains("stopped by a signal") && !out1.contains("lost"), out1);
        assertClusterStopped(dir, job1);

        // the second job on two nodes: partition two of scripts/dev/slurm, two more slurmd on this machine;
        // its rows sleep no more (on executors of one core each, 77 rows of a quarter second took 30 s)
        Files.writeString(rowSeconds, "0\n");
        boolean two = !run(ROOT, List.of("sinfo", "--noheader", "--partition=two", "--format=%D"))
                .out()
                .isBlank();
        List<String> second = new java.util.ArrayList<>(List.of("slurm", "run", "-c", conf.toString(), "--time", "10"));
        if (two) {
            second.addAll(List.of("-N", "2", "--partition", "two"));
        }
        String job2 = jobId(cli(dir, second.toArray(String[]::new)));
        Result status = cli(dir, "slurm", "status", "-c", conf.toString());
        assertTrue(
                status.code() == 0
                        && status.out().contains(job2 + " ")
                        && status.out().contains("experimenter-" + table),
                status.out());
        awaitEnded(job2);
        Map<Status, Long> end = ex.status();
        String out2 = output(dir, job2);
        assertEquals(80L, end.get(Status.DONE), out2);
        assertTrue(out2.contains("the run ended (exit code 0)"), out2);
        if (two) {
            assertTrue(out2.contains("2 worker(s) registered"), out2);
            // the master placed an executor on each node's worker
            Path logs = dir.resolve("experimenter-slurm-" + job2 + "-0");
            for (String node : List.of("-a", "-b")) {
                try (var work = Files.list(logs)) {
                    Path nodeWork = work.filter(p -> p.getFileName().toString().startsWith("work-")
                                    && p.getFileName().toString().endsWith(node))
                            .findFirst()
                            .orElseThrow(() -> new AssertionError("no work dir of node *" + node + " in " + logs));
                    try (var apps = Files.list(nodeWork)) {
                        assertTrue(
                                apps.anyMatch(a -> a.getFileName().toString().startsWith("app-")),
                                "an executor ran on " + nodeWork);
                    }
                }
            }
        }
        assertClusterStopped(dir, job2);
        ex.drop();
    }

    /** Skips with the reason when Slurm is not installed or does not start; CI's scripts/setup starts it. */
    static void assumeSlurm() throws Exception {
        assumeTrue(
                HostlistTest.onPath("sbatch"),
                "Slurm is not installed (scripts/setup installs slurmctld, slurmd, munge)");
        Result start = run(ROOT, List.of(ROOT.resolve("scripts/dev/slurm").toString(), "start"));
        assumeTrue(start.code() == 0, "Slurm does not start here: " + start.out());
    }

    static String jobId(Result submitted) {
        Matcher m = SUBMITTED.matcher(submitted.out());
        assertTrue(submitted.code() == 0 && m.find(), submitted.out());
        String job = m.group(1);
        // a test stopped half way (Ctrl-C on the test run) leaves no job with its cluster behind
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                new ProcessBuilder("scancel", job)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start()
                        .waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                // nothing to cancel
            }
        }));
        return job;
    }

    /** The job's state as squeue says it; empty once Slurm has forgotten the job. */
    static String state(String job) throws Exception {
        Result r = run(ROOT, List.of("squeue", "--noheader", "--states=all", "--jobs=" + job, "--format=%T"));
        return r.code() == 0 ? r.out().strip() : "";
    }

    static void awaitEnded(String job) throws Exception {
        Faults.await("job " + job + " ended", Duration.ofMinutes(5), () -> {
            String s = state(job);
            return s.isEmpty() || s.matches("COMPLETED|CANCELLED|FAILED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY") ? true : null;
        });
    }

    /** No process of the job's Spark cluster (each names the job's log folder) outlives the job. */
    static void assertClusterStopped(Path dir, String job) throws Exception {
        String runDir = dir.resolve("experimenter-slurm-" + job + "-0").toString();
        Faults.await("the job's Spark processes ended", Duration.ofSeconds(30), () -> {
            Result ps = run(ROOT, List.of("ps", "-eo", "args"));
            return ps.out().contains(runDir) ? null : true;
        });
    }

    static String output(Path dir, String job) {
        try {
            return Files.readString(dir.resolve("slurm-" + job + ".out"));
        } catch (IOException e) {
            return "(no slurm-" + job + ".out: " + e.getMessage() + ")";
        }
    }

    record Result(int code, String out) {}

    /** scripts/experimenter with the given arguments, in dir. */
    static Result cli(Path dir, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(ROOT.resolve("scripts/experimenter").toString());
        cmd.addAll(List.of(args));
        return run(dir, cmd);
    }

    static Result run(Path dir, List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), String.join(" ", cmd));
        return new Result(p.exitValue(), out);
    }
}
