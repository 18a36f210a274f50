package org.experimenter.slurm;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.experimenter.ExperimenterException;
import org.experimenter.process.ProgramOutput;

/**
 * Slurm's commands as child processes, each argument its own word (no shell): sbatch to submit a
 * script, squeue for the tool's jobs, scancel to end one. A command that is missing or fails
 * ends as one line naming it and what it said.
 */
public final class SlurmClient {
    private static final Pattern JOB_ID = Pattern.compile("\\d+(_\\d+)?");

    /** A job squeue lists: id, name, state, time used, time limit, nodes, node list or the reason it waits. */
    public record Job(String id, String name, String state, String time, String limit, String nodes, String where) {}

    private SlurmClient() {}

    /** Submits the script with sbatch in the current directory (the job's working directory) and returns the job id. */
    public static String submit(Path script) {
        String out = run(List.of("sbatch", "--parsable", script.toAbsolutePath().toString()))
                .strip();
        // --parsable: "id" or "id;cluster"
        String id = out.contains(";") ? out.substring(0, out.indexOf(';')) : out;
        if (!JOB_ID.matcher(id).matches()) {
            throw new ExperimenterException("sbatch answered \"" + SlurmJob.printable(out) + "\", not a job id");
        }
        return id;
    }

    /**
     * This user's jobs squeue knows whose name is the given one, or starts with the given prefix
     * when it ends with '*'. Another user's job of the same table name is none of them: squeue
     * lists every user's jobs, and slurm cancel --config stopped those too (as root or a Slurm
     * operator), or, refused them, ended before this user's own.
     */
    public static List<Job> jobs(String name) {
        String out = run(List.of(
                "squeue", "--noheader", "--user=" + System.getProperty("user.name"), "--format=%i|%j|%T|%M|%l|%D|%R"));
        List<Job> jobs = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] f = line.split("\\|", 7);
            if (f.length < 7) {
                continue;
            }
            boolean match =
                    name.endsWith("*") ? f[1].startsWith(name.substring(0, name.length() - 1)) : f[1].equals(name);
            if (match) {
                jobs.add(new Job(f[0].strip(), f[1], f[2], f[3], f[4], f[5], f[6]));
            }
        }
        return jobs;
    }

    /**
     * Stops a job. A running job's batch shell alone gets SIGTERM ({@code scancel --batch
     * --signal=TERM}), as before its time limit: the script has the driver stop gracefully while
     * the executors are still there (running experiments get the config's shutdown-grace, claimed
     * rows go back to created), then stops the cluster, and the job ends by itself. A job not
     * running yet, or any job with {@code now}, is cancelled as {@code scancel} does: SIGTERM to
     * every process at once, SIGKILL after the cluster's KillWait; rows held by executors that
     * ended first go back to created when their lease expires.
     *
     * @return whether the job was asked to stop gracefully (false: cancelled at once)
     */
    public static boolean cancel(String jobId, boolean now) {
        checkJobId(jobId);
        if (!now && state(jobId).equals("RUNNING")) {
            run(List.of("scancel", "--batch", "--signal=TERM", jobId));
            return true;
        }
        run(List.of("scancel", jobId));
        return false;
    }

    /**
     * The job's state as squeue says it (RUNNING, PENDING, ...); empty for a job Slurm no longer
     * knows (ended longer than MinJobAge ago, or never submitted), for which squeue fails where
     * scancel succeeds: one such id among others does not keep the rest from being stopped.
     */
    static String state(String jobId) {
        try {
            return run(List.of("squeue", "--noheader", "--jobs=" + jobId, "--format=%T"))
                    .strip();
        } catch (ExperimenterException e) {
            if (e.getMessage().contains("Invalid job id specified")) {
                return "";
            }
            throw e;
        }
    }

    public static void checkJobId(String jobId) {
        if (!JOB_ID.matcher(jobId).matches()) {
            throw new ExperimenterException(
                    "\"" + SlurmJob.printable(jobId) + "\" is not a Slurm job id (digits, e.g. 42)");
        }
    }

    /** How long a Slurm command may take before it is killed and the call fails. */
    static final Duration LIMIT = Duration.ofSeconds(120);

    /** Runs a Slurm command and returns its standard output; a failure is one line with its standard error. */
    static String run(List<String> command) {
        return run(command, LIMIT);
    }

    static String run(List<String> command, Duration limit) {
        ProgramOutput.Ended e;
        try {
            e = ProgramOutput.run(command, limit);
        } catch (IOException x) {
            throw new ExperimenterException(command.get(0) + " cannot be started (" + x.getMessage()
                    + "): is Slurm's client installed and on PATH?");
        }
        if (e.timedOut()) {
            throw new ExperimenterException(
                    command.get(0) + " did not answer within " + limit.toSeconds() + " s; killed");
        }
        if (e.exitCode() != 0) {
            String why = e.err().strip().replace('\n', ' ');
            throw new ExperimenterException(
                    String.join(" ", command) + " failed (exit code " + e.exitCode() + "): " + why);
        }
        return e.out();
    }
}
