package org.experimenter.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import org.experimenter.Experimenter;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command row of a stage with resources of its own gets that stage's cores and memory in its
 * environment (EXPERIMENTER_CPUS, EXPERIMENTER_MEMORY_MB), not the top-level section's: the
 * command experiment is made from the top-level config, the row's resources come from its stage.
 */
class StageResourcesEnvironmentTest {
    @TempDir
    Path dir;

    @Test
    void aCommandRowOfAStageWithResourcesOfItsOwnSeesThatStagesCoresAndMemory() throws Exception {
        String table = TestDb.uniqueTable("stage_env");
        String hocon = String.join(
                "\n",
                "keyfields { x { type = int, values = [1, 2] } }",
                "resultfields { cpus = int, memory_mb = int }",
                "resources { memory = 1g }",
                "stages { 2 { resources { cpus = 2, memory = 2g } } }",
                "experiment {",
                "  command = [\"" + CommandExperimentContractTest.python() + "\", \"-c\",",
                "    \"import json, os; json.dump(dict(cpus=int(os.environ.get('EXPERIMENTER_CPUS', '0')),"
                        + " memory_mb=int(os.environ.get('EXPERIMENTER_MEMORY_MB', '0'))),"
                        + " open(os.environ['EXPERIMENTER_RESULT_FILE'], 'w'))\"]",
                "  run-dir = \"" + dir.resolve("runs") + "\"",
                "}",
                "");
        Experimenter ex = Experimenter.of(TestDb.SQLITE.config(dir, table, hocon));
        try {
            assertEquals(2, ex.fill());
            try (Connection c = DriverManager.getConnection(ex.config().url());
                    Statement st = c.createStatement()) {
                assertEquals(1, st.executeUpdate("UPDATE " + table + " SET stage = 2 WHERE x = 2"));
            }
            Map<String, Object> second = ex.runOne(Map.of("x", "2"), ex.experimentFromConfig());
            Map<String, Object> first = ex.runOne(Map.of("x", "1"), ex.experimentFromConfig());
            assertEquals("done", second.get("status"), String.valueOf(second.get("error")));
            assertEquals(2, second.get("cpus"), "the cores of stage 2: " + second);
            assertEquals(2048, second.get("memory_mb"), "the memory of stage 2: " + second);
            assertEquals(1, first.get("cpus"), "a grid row: the top-level cores " + first);
            assertEquals(1024, first.get("memory_mb"), "a grid row: the top-level memory " + first);
        } finally {
            ex.drop();
        }
    }
}
