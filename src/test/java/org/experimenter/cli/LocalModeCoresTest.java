package org.experimenter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.experimenter.Experimenter;
import org.experimenter.testing.ChildJvm;
import org.experimenter.testing.Faults;
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

            Path sqlLog = dir.resolve("sql.log");
            Process sql = ChildJvm.start(
                    sqlLog,
                    "org.experimenter.cli.Main",
                    "sql",
                    "-c",
                    conf.toString(),
                    "SELECT count(*) AS n FROM " + table);
            assertEquals(0, sql.waitFor(), () -> read(sqlLog));
            assertTrue(read(sqlLog).contains("2"), () -> read(sqlLog));

            Path runLog = dir.resolve("run.log");
            Process run = ChildJvm.start(runLog, "org.experimenter.cli.Main", "run", "-c", conf.toString());
            String out = read(runLog);
            assertEquals(1, run.waitFor(), out);
            out = read(runLog);
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

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
