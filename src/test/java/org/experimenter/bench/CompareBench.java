package org.experimenter.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.experimenter.Experimenter;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.eval.CellTest;
import org.experimenter.eval.Comparisons;
import org.experimenter.eval.Evaluation;
import org.experimenter.eval.ResultTable;
import org.experimenter.eval.stats.ComparisonFormat;
import org.experimenter.eval.stats.MethodComparison;
import org.experimenter.testing.TestDb;

/**
 * {@code scripts/dev/bench compare}: {@code compare} over a 1,000,000-row table (50 data sets x 10 methods x 2,000
 * seeds, all done) beside {@code eval} over seed on the same table and a tested pivot ({@code eval --rows dataset
 * --columns method --test wilcoxon}, which reads every value to the driver), each on a fresh SparkSession
 * (local[2], its start included). Prints medians; asserts nothing.
 */
final class CompareBench {
    private CompareBench() {}

    static ExperimentConfig config(String db, String table) {
        return ExperimentConfig.parse(
                "database { url = \"" + Bench.url(db, table) + "\", table = " + table + " }\n" + Bench.userLine(db)
                        + "keyfields {\n  dataset { type = int, values = { start = 0, stop = 50 } }\n"
                        + "  method { type = int, values = { start = 0, stop = 10 } }\n"
                        + "  seed { type = int, values = { start = 0, stop = 2000 } }\n}\n"
                        + "resultfields { score = double }\n",
                "bench");
    }

    static void run(int runs) throws Exception {
        for (String db : Bench.databases()) {
            Experimenter ex = Experimenter.of(config(db, "bench_compare"));
            ex.drop();
            long f0 = System.nanoTime();
            ex.fill();
            try (Connection c = TestDb.store(ex).connect()) {
                c.setAutoCommit(false);
                // a method effect of 0.002 per step under noise of about 0.03: the ranks differ, not every pair
                try (PreparedStatement ps =
                        c.prepareStatement("UPDATE " + ex.config().table()
                                + " SET status = 'done', score = 0.5 + method * 0.002 + (id % 97) * 0.001"
                                + " + dataset * 0.01")) {
                    ps.executeUpdate();
                }
                c.commit();
            }
            System.out.printf(
                    Locale.ROOT, "compare %-10s table of 1,000,000 done rows ready in %.1f s%n", db, since(f0));
            measure(db, "eval --over seed (500 groups)", runs, ex, spark -> {
                ResultTable t = ex.evaluation(spark).fields(List.of("score")).collect();
                return t.size() + " groups";
            });
            measure(db, "compare --methods method --datasets dataset --value score", runs, ex, spark -> {
                Evaluation e = ex.evaluation(spark);
                MethodComparison c = Comparisons.of(e, "dataset", "method", "score", false, null, 0.05);
                ComparisonFormat.write(c, "text", Comparisons.what(e, "score", false));
                return c.methods().size() + " methods on " + c.datasets().size() + " data sets";
            });
            measure(db, "eval --rows dataset --columns method --value score --test wilcoxon", runs, ex, spark -> {
                ResultTable t = ex.evaluation(spark)
                        .pivot(
                                List.of("dataset"),
                                List.of("method"),
                                "score",
                                false,
                                CellTest.parse("wilcoxon", null, null));
                return t.size() + " rows tested";
            });
            ex.drop();
        }
    }

    interface Job {
        String run(SparkSession spark) throws Exception;
    }

    private static void measure(String db, String what, int runs, Experimenter ex, Job job) throws Exception {
        List<Double> times = new ArrayList<>();
        String said = "";
        for (int r = 0; r < runs; r++) {
            SparkSession spark = Bench.spark("local[2]");
            long t0 = System.nanoTime();
            said = job.run(spark);
            times.add(since(t0));
            spark.stop();
        }
        System.out.printf(
                Locale.ROOT,
                "compare %-10s %s: median %.2f s %s (%s; includes Spark start)%n",
                db,
                what,
                Bench.median(times),
                Bench.fmt(times),
                said);
    }

    private static double since(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
