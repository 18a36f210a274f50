package org.experimenter.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.experimenter.Experiment;
import org.experimenter.ExperimentContext;
import org.experimenter.Experimenter;
import org.experimenter.RunSummary;
import org.experimenter.config.ExperimentConfig;

/**
 * What promotion costs: a halving run of 1,000 configurations with trivial experiments (rungs at
 * 1, 3 and 9 epochs, eta = 3: 1,000 + 333 + 111 rows) against a flat grid of the same number of
 * rows, each run's wall time from the first pass to the last, median of several runs; and the
 * same with the fill counted (the flat grid inserts its 1,444 rows before the run, halving 1,000
 * before and the promoted 444 during the run). Figures are printed, never asserted. Usage: {@code scripts/dev/bench halving [runs]}.
 */
public final class HalvingBench {
    private static final int CONFIGS = 1_000;

    private HalvingBench() {}

    /** A trivial objective whose ranking changes with the budget. */
    static final class Trivial implements Experiment {
        private static final long serialVersionUID = 1L;

        @Override
        public void run(ExperimentContext ctx) {
            int x = ctx.parameters().getInt("x");
            int epochs = ctx.parameters().getInt("epochs");
            ctx.results().put("val_loss", ((x * 7919L + epochs * 104729L) % 1000) / 1000.0);
        }
    }

    static ExperimentConfig config(String db, String table, String mode) {
        String fields = mode == null
                ? "keyfields { x { type = int, values = { start = 0, stop = " + (CONFIGS + 333 + 111)
                        + " } }, epochs { type = int, values = [1] } }\n"
                : "keyfields { x { type = int, values = { start = 0, stop = " + CONFIGS
                        + " } }, epochs { type = int } }\n"
                        + "halving { field = epochs, min = 1, max = 9, eta = 3, value = val_loss, lower-is-better = true,"
                        + " mode = " + mode + " }\n";
        return ExperimentConfig.parse(
                "database { url = \"" + Bench.url(db, table) + "\", table = " + table + " }\n" + Bench.userLine(db)
                        + fields + "resultfields { val_loss = double }\n",
                "bench");
    }

    public static void run(int runs) {
        SparkSession spark = Bench.spark("local[2]");
        for (String db : Bench.databases()) {
            List<String> modes = new ArrayList<>(List.of("flat", "sync", "async"));
            List<List<Double>> seconds = new ArrayList<>();
            modes.forEach(m -> seconds.add(new ArrayList<>()));
            // the fill and the run: a flat grid inserts all its rows before the run, halving the
            // first rung's only and the others as it promotes, inside the run
            List<List<Double>> withFill = new ArrayList<>();
            modes.forEach(m -> withFill.add(new ArrayList<>()));
            List<Double> asyncRows = new ArrayList<>();
            // run 0 warms up the JIT and the database's caches and is not counted; the modes take turns
            for (int r = 0; r <= runs; r++) {
                for (int m = 0; m < modes.size(); m++) {
                    String mode = modes.get(m);
                    Experimenter ex = Experimenter.of(config(db, "bench_halving", mode.equals("flat") ? null : mode));
                    ex.drop();
                    ex.createTable();
                    long filling = System.nanoTime();
                    ex.fill();
                    long t0 = System.nanoTime();
                    RunSummary s = ex.run(spark, new Trivial());
                    double secs = (System.nanoTime() - t0) / 1e9;
                    double filled = (System.nanoTime() - filling) / 1e9;
                    if (mode.equals("sync") && s.total() != CONFIGS + 333 + 111) {
                        throw new IllegalStateException("sync halving ran " + s.total() + " rows, expected 1444");
                    }
                    if (r > 0) {
                        seconds.get(m).add(secs);
                        withFill.get(m).add(filled);
                        if (mode.equals("async")) {
                            asyncRows.add((double) s.total());
                        }
                    }
                    ex.drop();
                }
            }
            double flat = Bench.median(seconds.get(0));
            System.out.printf(
                    Locale.ROOT,
                    "halving %-10s 1,000 configurations, eta 3, rungs 1/3/9 (1,444 rows) on local[2]: flat grid of 1,444"
                            + " rows median %.2f s %s; sync halving median %.2f s %s (%+.0f%%); async (ASHA) median %.2f s %s"
                            + " (%+.0f%%), median %.0f rows %s%n",
                    db,
                    flat,
                    Bench.fmt(seconds.get(0)),
                    Bench.median(seconds.get(1)),
                    Bench.fmt(seconds.get(1)),
                    (Bench.median(seconds.get(1)) / flat - 1) * 100,
                    Bench.median(seconds.get(2)),
                    Bench.fmt(seconds.get(2)),
                    (Bench.median(seconds.get(2)) / flat - 1) * 100,
                    Bench.median(asyncRows),
                    Bench.fmt(asyncRows));
            double flatFilled = Bench.median(withFill.get(0));
            System.out.printf(
                    Locale.ROOT,
                    "halving %-10s the same, fill and run: flat median %.2f s %s; sync median %.2f s %s (%+.0f%%);"
                            + " async median %.2f s %s (%+.0f%%)%n",
                    db,
                    flatFilled,
                    Bench.fmt(withFill.get(0)),
                    Bench.median(withFill.get(1)),
                    Bench.fmt(withFill.get(1)),
                    (Bench.median(withFill.get(1)) / flatFilled - 1) * 100,
                    Bench.median(withFill.get(2)),
                    Bench.fmt(withFill.get(2)),
                    (Bench.median(withFill.get(2)) / flatFilled - 1) * 100);
        }
    }
}
