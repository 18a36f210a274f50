package org.experimenter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.experimenter.Experimenter;
import org.experimenter.testing.Faults;
import org.experimenter.testing.InProcessCli;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.Test;

/**
 * A config whose rows ask for more cores than Spark's local mode has (a cluster's config on a
 * small machine): sql, eval and the other commands that run no rows start Spark; a run says so in one
 * line before Spark starts, nothing run. Spark itself would not start ("The number of cores per
 * executor (=2) has to be >= the number of cpus per task", with its stack trace).
 */
class LocalModeCoresTest {
    @Test
    void moreCoresPerRowThanLocalModeHasStopARunInOneLineAndLeaveSqlAlone() throws Exception {
        String table = TestDb.uniqueTable("local_cores");
        Path dir = Faults.runDir(table);
        Path conf = Faults.writeConfig(
                dir,
                TestDb.SQLITE,
                table,
                dir.resolve("executions.log"),
                2,
                "local[2]",
                "sleep-ms = 0",
                "resources { cpus = 64 }");
        Experimenter ex = Experimenter.load(conf);
        try {
            assertEquals(2, ex.fill());

            String[] sql = InProcessCli.run("sql", "-c", conf.toString(), "SELECT count(*) AS n FROM " + table);
            assertEquals("0", sql[0], sql[2]);
            assertTrue(sql[1].contains("2"), sql[1]);

            String[] run = InProcessCli.run("run", "-c", conf.toString());
            String out = run[1] + run[2];
            assertEquals("1", run[0], out);
            assertTrue(
                    out.contains("error: " + conf + ": resources.cpus: each row asks for 64 cores, more than Spark's"
                            + " local mode (local[2]) has (2); nothing was run. Ask for at most 2, or run on a"
                            + " cluster\n"),
                    out);
            assertFalse(out.contains("SparkException"), out);
            assertEquals(
                    2L,
                    TestDb.store(ex).rows().stream()
                            .filter(r -> r.get("status").equals("created"))
                            .count(),
                    "no row ran");
        } finally {
            ex.drop();
        }
    }
}
