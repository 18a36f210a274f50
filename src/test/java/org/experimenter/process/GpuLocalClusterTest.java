package org.experimenter.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.experimenter.Experimenter;
import org.experimenter.store.ExperimentStore;
import org.experimenter.testing.Faults;
import org.experimenter.testing.LocalCluster;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.Test;

/**
 * GPUs per row without a GPU: a discovery script announces two fake GPUs to the one executor of
 * local-cluster[1,4,1024] (4 cores), the driver runs in its own JVM as {@code experimenter run}
 * on SQLite, and each of 4 one-GPU rows records the CUDA_VISIBLE_DEVICES it saw and when it ran.
 * The rows need 512, 1501, 3000 and 8000 MB; memory starts at 1g and escalates to 2g and 4g, and
 * a row given less fails as out of memory (exit 137, or CUDA's message).
 */
class GpuLocalClusterTest {
    record Attempt(long id, int memoryMb, String cuda, double start, double end) {}

    @Test
    void fourOneGpuRowsOnTwoFakeGpusRunAtMostTwoAtOnceEachOnItsOwnAndEscalateMemory() throws Exception {
        String table = TestDb.uniqueTable("gpu_cluster");
        Path dir = Faults.runDir(table);
        Path log = dir.resolve("attempts.log");
        String body = "keyfields { needs { type = int, values = [512, 1501, 3000, 8000] } }\n"
                + "resultfields { cuda = string, memory_mb = int }\n"
                + "resources { gpus = 1, memory = 1g, escalate = [{memory = 2g}, {memory = 4g}] }\n"
                + "max-attempts = 4\n"
                + "experiment {\n  command = [\"" + CommandExperimentContractTest.python() + "\", \""
                + Path.of("src/test/resources/gpus/needs_memory.py").toAbsolutePath()
                + "\", \"--needs\", \"{needs}\"]\n  environment { GPU_CHECK_LOG = \"" + log + "\" }\n"
                + "  run-dir = \"" + dir.resolve("runs") + "\"\n}\n"
                + "execution.partitions = 4\n";
        Path file = LocalCluster.config(
                dir, TestDb.SQLITE, table, body, "local-cluster[1,4,1024]", LocalCluster.twoFakeGpus(dir));
        Experimenter ex = Experimenter.load(file);
        ExperimentStore store = TestDb.store(ex);
        try {
            assertEquals(4, ex.fill());
            LocalCluster.runDriver(dir, file, 300);

            List<Attempt> attempts = new ArrayList<>();
            for (String line : Files.readAllLines(log)) {
                String[] f = line.split(" ");
                attempts.add(new Attempt(
                        Long.parseLong(f[0]),
                        Integer.parseInt(f[1]),
                        f[2],
                        Double.parseDouble(f[3]),
                        Double.parseDouble(f[4])));
            }
            // 512 MB: one attempt; 1501: 1g, 2g; 3000: 1g, 2g, 4g; 8000: 1g, 2g, 4g and no larger level
            assertEquals(9, attempts.size(), attempts.toString());
            int most = 0;
            for (Attempt a : attempts) {
                assertTrue(Set.of("0", "1").contains(a.cuda()), "one fake GPU each: " + a);
                // how many run at the moment a starts (a chain of attempts that each overlap a, one after
                // another on the other GPU, is not more at once)
                int atOnce = 0;
                for (Attempt b : attempts) {
                    if (b.start() <= a.start() && a.start() < b.end()) {
                        atOnce++;
                    }
                    if (b != a && b.start() < a.end() && a.start() < b.end()) {
                        assertNotEquals(a.cuda(), b.cuda(), "attempts at the same time share no GPU: " + a + " " + b);
                    }
                }
                most = Math.max(most, atOnce);
            }
            assertTrue(most <= 2, "at most 2 rows at once on 2 GPUs (4 cores): " + most);
            System.out.println("GPU rows on local-cluster: " + attempts.size() + " attempts, at most " + most
                    + " at once, GPUs " + attempts.stream().map(Attempt::cuda).toList());

            Map<Long, Integer> memory = Map.of(1L, 1024, 2L, 2048, 3L, 4096);
            for (Map<String, Object> r : store.rows()) {
                long id = (Long) r.get("id");
                List<Map<String, Object>> tries = store.attempts(id);
                if (id == 4) {
                    assertEquals("error", r.get("status"));
                    assertEquals("oom", r.get("error_kind"));
                    assertEquals(3, tries.size(), tries.toString());
                } else {
                    assertEquals("done", r.get("status"), String.valueOf(r.get("error")));
                    assertEquals(memory.get(id), r.get("memory_mb"));
                    assertEquals(id, tries.size(), tries.toString());
                }
                String[] sizes = {"1g", "2g", "4g"};
                for (int i = 0; i < tries.size(); i++) {
                    String given = (String) tries.get(i).get("resources");
                    assertTrue(
                            given.startsWith("gpus=1 cpus=1 memory=" + sizes[i] + " gpu-addresses="),
                            "attempt " + (i + 1) + " of row " + id + ": " + given);
                    assertEquals(
                            i == tries.size() - 1 && id != 4 ? "done" : "oom",
                            tries.get(i).get("outcome"));
                }
            }
        } finally {
            ex.drop();
        }
    }
}
