package org.experimenter.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.experimenter.Experimenter;
import org.experimenter.testing.ExecutionLog;
import org.experimenter.testing.FaultReport;
import org.experimenter.testing.Faults;
import org.experimenter.testing.TestDb;
import org.experimenter.testing.TestSpark;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Experiments that throw, hang, swallow interrupts, return an undeclared result or run out of
 * memory, in one run with well-behaved ones (Spark local mode, the test JVM's 3 GiB heap).
 * Each ends in a clear state for its own row; the other rows of the run are unaffected.
 */
class MisbehavingExperimentsTest {
    @ParameterizedTest
    @EnumSource(TestDb.class)
    void eachMisbehavingExperimentEndsItsOwnRowAndTheOthersRunNormally(TestDb db) throws Exception {
        String table = TestDb.uniqueTable("misbehaving");
        Path dir = Faults.runDir(table);
        Path log = dir.resolve("executions.log");
        Path conf = Faults.writeConfig(
                dir,
                db,
                table,
                log,
                16,
                "local[2]",
                "sleep-ms = 100, misbehave { throw = [3], hang = [5], ignore-interrupt = [6], undeclared = [7], oom = [9] }",
                "timeout = 3s");
        Experimenter ex = Experimenter.load(conf);
        ex.fill();
        try {
            long t0 = System.nanoTime();
            ex.run(TestSpark.session());
            double seconds = (System.nanoTime() - t0) / 1e9;

            long throwing = id(ex, 3), hanging = id(ex, 5), deaf = id(ex, 6), undeclared = id(ex, 7), oom = id(ex, 9);
            FaultReport report = FaultReport.collect(
                            "misbehaving experiments (" + db + ")", TestDb.store(ex), ExecutionLog.read(log))
                    .expect(throwing, "error:exception")
                    .expect(hanging, "error:timeout")
                    .expect(deaf, "error:timeout")
                    .expect(undeclared, "error:exception")
                    .expect(oom, "error:oom"); // an OutOfMemoryError is error kind oom (docs/gpus.md)
            System.out.printf("%s; run took %.1f s%n", report.figures(), seconds);
            assertEquals(List.of(), report.problems());
            assertEquals(0, report.rowsExecutedTwice().size());
            assertTrue(
                    error(ex, throwing)
                            .startsWith("java.lang.IllegalStateException: experiment x = 3 throws on purpose"),
                    error(ex, throwing));
            assertTrue(
                    error(ex, hanging)
                            .startsWith("timeout: experiment " + hanging + " {x=5} did not finish within PT3S"),
                    error(ex, hanging));
            assertTrue(error(ex, deaf).startsWith("timeout: experiment " + deaf + " {x=6}"), error(ex, deaf));
            assertTrue(
                    error(ex, undeclared).contains("result field 'not_a_result_field' is not declared in resultfields"),
                    error(ex, undeclared));
            assertTrue(error(ex, oom).startsWith("java.lang.OutOfMemoryError: "), error(ex, oom));
            for (Map<String, Object> r : TestDb.store(ex).rows()) {
                if ("done".equals(r.get("status"))) {
                    assertEquals(
                            ((Integer) r.get("x")).doubleValue(), r.get("score"), "the result of row " + r.get("id"));
                }
            }
        } finally {
            ex.drop();
        }
    }

    static long id(Experimenter ex, int x) {
        return TestDb.store(ex).idOf(new Object[] {x});
    }

    static String error(Experimenter ex, long id) {
        return String.valueOf(TestDb.store(ex).row(id).get("error"));
    }
}
