package org.experimenter.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.experimenter.Experimenter;
import org.experimenter.Status;
import org.experimenter.testing.ChildJvm;
import org.experimenter.testing.Experiments;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Two drivers, each its own JVM and Spark application, run the same table at once. */
class ConcurrentDriversTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestDb.class)
    void twoDriversOnOneTableNeverRunARowTwiceAndLoseNone(TestDb db) throws Exception {
        String table = TestDb.uniqueTable("two_drivers");
        Path log = dir.resolve("executions.log");
        Map<String, Object> dbConf = db.database(dir, table);
        StringBuilder conf = new StringBuilder();
        dbConf.forEach((k, v) -> conf.append(k).append(" = \"").append(v).append("\"\n"));
        conf.append(
                        "keyfields { x { type = int, values = { start = 0, stop = 100 } }, seed { type = int, values = [1, 2, 3] } }\n")
                .append("resultfields { score = double }\n")
                .append("custom { execution-log = \"")
                .append(log)
                .append("\", sleep-ms = 20")
                .append(", barrier-file = \"")
                .append(dir.resolve("barrier"))
                .append("\", barrier-count = 2 }\n")
                .append("experiment-class = \"")
                .append(Experiments.Logging.class.getName())
                .append("\"\n")
                .append("spark.master = \"local[2]\"\n")
                .append("spark.conf { \"spark.ui.enabled\" = false }\n");
        Path confFile = dir.resolve("two.conf");
        Files.writeString(confFile, conf);
        Experimenter ex = Experimenter.load(confFile);
        assertEquals(300, ex.fill());
        try {
            Process a = ChildJvm.start(
                    dir.resolve("a.out"), "org.experimenter.cli.Main", "run", "--config", confFile.toString());
            Process b = ChildJvm.start(
                    dir.resolve("b.out"), "org.experimenter.cli.Main", "run", "--config", confFile.toString());
            assertTrue(a.waitFor(180, TimeUnit.SECONDS) && b.waitFor(180, TimeUnit.SECONDS), "both drivers finish");
            assertEquals(0, a.exitValue(), Files.readString(dir.resolve("a.out")));
            assertEquals(0, b.exitValue(), Files.readString(dir.resolve("b.out")));

            List<String> lines = Files.readAllLines(log);
            Map<String, Integer> perRow = new HashMap<>();
            Map<String, Integer> perPid = new HashMap<>();
            for (String l : lines) {
                String[] p = l.split(" ");
                perRow.merge(p[0], 1, Integer::sum);
                perPid.merge(p[1], 1, Integer::sum);
            }
            long twice = perRow.values().stream().filter(n -> n > 1).count();
            System.out.printf(
                    "%s: %d executions of %d rows, %d rows twice, per driver %s%n",
                    db, lines.size(), perRow.size(), twice, perPid.values());
            assertEquals(0, twice, "rows executed twice");
            assertEquals(2, perPid.size(), "both drivers ran experiments, so they really overlapped");
            assertEquals(300, perRow.size(), "rows executed");
            Map<Status, Long> counts = ex.status();
            assertEquals(100 * 3 - 3, counts.get(Status.DONE));
            assertEquals(3, counts.get(Status.ERROR));
            assertEquals(0, counts.get(Status.CREATED) + counts.get(Status.RUNNING));
        } finally {
            ex.drop();
        }
    }
}
