package org.experimenter.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Short programs run for their output: a hung one is killed at the limit, not waited for. */
class ProgramOutputTest {
    @Test
    void theOutputOfAProgramThatEnds() {
        assertEquals("a b\n", ProgramOutput.of(List.of("echo", "a", "b"), Duration.ofSeconds(10)));
        assertNull(ProgramOutput.of(List.of("sh", "-c", "echo partial; exit 3"), Duration.ofSeconds(10)));
        assertNull(ProgramOutput.of(List.of("/no/such/program"), Duration.ofSeconds(10)));
    }

    /**
     * A script still open for writing somewhere cannot be executed ("Text file busy"); a child that
     * another thread forks just then holds the descriptor for a moment. A CI run lost the GPU
     * monitor's fake nvidia-smi that way: the start failed once and the program counted as failing.
     */
    @Test
    void aProgramBusyForAMomentIsStartedWhenItIsFree(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("busy");
        Files.writeString(script, "#!/bin/sh\necho started\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        OutputStream writer = Files.newOutputStream(script, java.nio.file.StandardOpenOption.APPEND);
        Thread closer = new Thread(() -> {
            try {
                Thread.sleep(200);
                writer.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        closer.start();
        try {
            assertEquals("started\n", ProgramOutput.of(List.of(script.toString()), Duration.ofSeconds(10)));
        } finally {
            closer.join();
        }
    }

    @Test
    void aProgramThatPrintsAndThenHangsIsKilledAtTheLimit() {
        long started = System.nanoTime();
        // before, the caller read the output to its end first, which came only when the program ended
        assertNull(ProgramOutput.of(List.of("sh", "-c", "echo some; sleep 30"), Duration.ofSeconds(1)));
        double seconds = (System.nanoTime() - started) / 1e9;
        assertTrue(seconds < 15, "returned after " + seconds + " s, the limit is 1 s");
    }
}
