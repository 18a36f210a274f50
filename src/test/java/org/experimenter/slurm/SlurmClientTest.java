package org.experimenter.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;
import org.experimenter.ExperimenterException;
import org.junit.jupiter.api.Test;

/** Slurm's commands as the client runs them: real child processes standing in for squeue and sbatch. */
class SlurmClientTest {
    @Test
    void aHungCommandIsKilledAtTheLimit() {
        long started = System.nanoTime();
        // before, the client read the output to its end first, which came only when the program ended
        ExperimenterException e = assertThrows(
                ExperimenterException.class,
                () -> SlurmClient.run(List.of("sh", "-c", "echo JOBID; sleep 60"), Duration.ofSeconds(1)));
        double seconds = (System.nanoTime() - started) / 1e9;
        assertEquals("sh did not answer within 1 s; killed", e.getMessage());
        assertTrue(seconds < 15, "returned after " + seconds + " s, the limit is 1 s");
    }

    @Test
    void aFailureIsOneLineWithItsStandardError() {
        ExperimenterException e = assertThrows(
                ExperimenterException.class,
                () -> SlurmClient.run(List.of("sh", "-c", "echo 'sbatch: error: invalid\npartition' >&2; exit 1")));
        assertEquals(
                "sh -c echo 'sbatch: error: invalid\npartition' >&2; exit 1 failed (exit code 1): sbatch: error: invalid"
                        + " partition",
                e.getMessage());
        assertEquals("42\n", SlurmClient.run(List.of("echo", "42")));
        ExperimenterException missing =
                assertThrows(ExperimenterException.class, () -> SlurmClient.run(List.of("/no/such/squeue")));
        assertTrue(missing.getMessage().startsWith("/no/such/squeue cannot be started ("), missing.getMessage());
    }

    @Test
    void aJobSlurmNoLongerKnowsDoesNotStopTheCancelOfTheOthers() {
        String squeue;
        try {
            squeue = SlurmClient.run(List.of("squeue", "--noheader", "--format=%i"));
        } catch (ExperimenterException e) {
            assumeTrue(false, "no Slurm here: " + e.getMessage());
            return;
        }
        assertFalse(squeue.contains("2147483000"));
        // before, squeue --jobs of an id Slurm has forgotten failed ("Invalid job id specified") and
        // slurm cancel 2147483000 <running job> ended there, the running job never stopped
        assertEquals("", SlurmClient.state("2147483000"));
        assertFalse(SlurmClient.cancel("2147483000", false));
    }

    @Test
    void anotherUsersJobOfTheSameNameIsNotThisUsers() {
        assumeTrue(System.getProperty("user.name").equals("root"), "submitting as another user needs root");
        try {
            SlurmClient.run(List.of("squeue", "--noheader", "--format=%i"));
        } catch (ExperimenterException e) {
            assumeTrue(false, "no Slurm here: " + e.getMessage());
        }
        String name = "experimenter-other_user_" + ProcessHandle.current().pid();
        String id;
        try {
            id = SlurmClient.run(List.of(
                            "sbatch",
                            "--parsable",
                            "--uid=nobody",
                            "--chdir=/tmp",
                            "--output=/dev/null",
                            "-J",
                            name,
                            "--wrap",
                            "sleep 120"))
                    .strip();
        } catch (ExperimenterException e) {
            assumeTrue(false, "cannot submit as nobody: " + e.getMessage());
            return;
        }
        try {
            assertTrue(SlurmClient.run(List.of("squeue", "--noheader", "--jobs=" + id, "--format=%j"))
                    .contains(name));
            // before, every user's jobs were listed: slurm cancel --config stopped nobody's job
            assertEquals(List.of(), SlurmClient.jobs(name));
        } finally {
            SlurmClient.run(List.of("scancel", id));
        }
    }
}
