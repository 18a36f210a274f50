package org.experimenter.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.experimenter.ExperimenterException;
import org.junit.jupiter.api.Test;

class HostlistTest {
    static final List<String> VALID = List.of(
            "c[1-3,5],d7",
            "n[01-03]",
            "n[8-10]",
            "n[08-10]",
            "n[001-3]",
            "n[9-011]",
            "n[00-1]",
            "r[1-2]n[1-2]",
            "a[1-2]-b[3]",
            "a[1-2]b[3]c[4-5]",
            "a,a",
            ",a",
            "a,",
            "[1-2]",
            "vm",
            "node-7.cluster.example.org");

    static final List<String> INVALID =
            List.of("n[1-3]x", "n[3-1]", "n[1-", "n[1-2:2]", "n[a-b]", "x[]", "x[1,,2]", "n[[1]]", "n]1[", "a b", ",");

    @Test
    void rangesListsAndNamesExpandInOrder() {
        assertEquals(List.of("c1", "c2", "c3", "c5", "d7"), Hostlist.expand("c[1-3,5],d7"));
        assertEquals(List.of("r1n1", "r1n2", "r2n1", "r2n2"), Hostlist.expand("r[1-2]n[1-2]"));
        assertEquals(List.of("vm"), Hostlist.expand("vm"));
    }

    @Test
    void aRangeIsAsWideAsItsLowerBoundIsWritten() {
        assertEquals(List.of("n01", "n02", "n03"), Hostlist.expand("n[01-03]"));
        assertEquals(List.of("n8", "n9", "n10"), Hostlist.expand("n[8-10]"));
        assertEquals(List.of("n08", "n09", "n10"), Hostlist.expand("n[08-10]"));
        assertEquals(List.of("n9", "n10", "n11"), Hostlist.expand("n[9-011]"));
    }

    @Test
    void malformedExpressionsAreRefusedWithTheirReason() {
        for (String e : INVALID) {
            ExperimenterException x = assertThrows(ExperimenterException.class, () -> Hostlist.expand(e), e);
            assertTrue(x.getMessage().startsWith("hostlist \"" + e + "\": "), x.getMessage());
        }
        assertTrue(Hostlist.expand("n[1-100]").size() == 100);
        assertThrows(ExperimenterException.class, () -> Hostlist.expand("n[1-100000000]"));
    }

    /** The same names as Slurm's own scontrol, where it is installed (scripts/setup installs it). */
    @Test
    void agreesWithScontrolShowHostnames() throws Exception {
        assumeTrue(onPath("scontrol"), "scontrol is not installed (scripts/setup installs slurm-client)");
        for (String e : VALID) {
            assertEquals(scontrol(e), Hostlist.expand(e), e);
        }
        for (String e : List.of("n[1-3]x", "n[3-1]", "n[1-2:2]", "n[a-b]", "x[]", "x[1,,2]")) {
            assertTrue(scontrol(e).isEmpty(), "scontrol refuses " + e + " as well");
        }
    }

    static List<String> scontrol(String expression) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("scontrol", "show", "hostnames", expression)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        // scontrol 22.05 says "Invalid hostlist: ..." on standard output, with exit code 0
        boolean refused = p.exitValue() != 0 || out.isBlank() || out.startsWith("Invalid hostlist");
        return refused ? List.of() : Arrays.asList(out.strip().split("\n"));
    }

    static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (new java.io.File(dir, command).canExecute()) {
                return true;
            }
        }
        return false;
    }
}
