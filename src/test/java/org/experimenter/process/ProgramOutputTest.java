package org.experimenter.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Short programs run for their output: a hung one is killed at the limit, not waited for. */
class ProgramOutputTest {
    @Test
    void theOutputOfAProgramThatEnds() {
        assertEquals("a b\n", ProgramOutput.of(List.of("echo", "a", "b"), Duration.ofSeconds(10)));
        assertNull(ProgramOutput.of(List.of("sh", "-c", "echo partial; exit 3"), Duration.ofSeconds(10)));
        assertNull(ProgramOutput.of(List.of("/no/such/program"), Duration.ofSeconds(10)));
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
