package org.experimenter.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.experimenter.Experiment;
import org.experimenter.ExperimentContext;
import org.experimenter.Experimenter;
import org.experimenter.RunSummary;
import org.experimenter.config.ExperimentConfig;

/**
 * What promotion costs: a halving run of 1,000 configurations with trivial experiments (rungs at
 * 1, 3 and 9 epochs, eta = 3), synchronous (1,000 + 333 + 111 rows) and asynchronous (ASHA: as
 * many rows as its promotions made), each against a flat grid of as many rows, run in the same
 * round; each run's wall time from the first pass to the last, median of several runs; and the
 * same with the fill counted (a flat grid inserts all its rows before the run, halving the first
 * rung's before and the promoted rows during the run); and the machine's busy CPU time during
 * each run (all processes, from /proc/stat where there is one: the database's work too), which
 * tells work added from time spent waiting. The heap is collected before each run.
 * Figures are printed, never asserted.
 * Usage: {@code scripts/dev/bench halving [runs]}; {@code BENCH_JAVA_OPTS=-Dbench.experiment-ms=N}
 * makes each experiment sleep N ms first (what promotion adds against experiments that take time).
 */
public final class HalvingBench {
    private static final int CONFIGS = 1_000;
    private static final int SYNC_ROWS = CONFIGS + 333 + 111;
    /** Rounds run before the counted ones: a round takes a fraction of a second, the JIT several to settle. */
    private static final int WARM_UP = 3;

    private HalvingBench() {}

    /** A trivial objective whose ranking changes with the budget (public: scripts/dev/bench-halving-command names it). */
    public static final class Trivial implements Experiment {
        private static final long serialVersionUID = 1L;
        private final long sleepMillis = Long.getLong("bench.experiment-ms", 0);

        @Override
        public void run(ExperimentContext ctx) throws InterruptedException {
            if (sleepMillis > 0) {
                Thread.sleep(sleepMillis);
            }
            int x = ctx.parameters().getInt("x");
            int epochs = ctx.parameters().getInt("epochs");
            ctx.results().put("val_loss", ((x * 7919L + epochs * 104729L) % 1000) / 1000.0);
        }
    }

    /** A flat grid of this many rows (mode null), or a halving run of the given mode. */
    static ExperimentConfig config(String db, String table, String mode, int flatRows) {
        String fields = mode == null
                ? "keyfields { x { type = int, values = { start = 0, stop = " + flatRows
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

    /** One timed run: the run alone, the fill and the run, the rows it ran, and the machine's busy CPU seconds meanwhile. */
    private record Timed(double run, double withFill, long rows, double cpu) {}

    private static final Path PROC_STAT = Path.of("/proc/stat");

    /**
     * The machine's busy CPU time so far, in seconds, from /proc/stat's first line (user, nice,
     * system, irq, softirq, steal; clock ticks of 10 ms); NaN where there is none.
     */
    private static double busyCpuSeconds() {
        if (!Files.isReadable(PROC_STAT)) {
            return Double.NaN;
        }
        try (BufferedReader r = Files.newBufferedReader(PROC_STAT)) {
            String[] f = r.readLine().trim().split("\\s+");
            long ticks = 0;
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                ticks += Long.parseLong(f[i]);
            }
            return ticks / 100.0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Timed time(SparkSession spark, ExperimentConfig config) {
        Experimenter ex = Experimenter.of(config);
        ex.drop();
        ex.createTable();
        long filling = System.nanoTime();
        ex.fill();
        long fill = System.nanoTime() - filling;
        // a collection of the fill's garbage inside a run of a fifth of a second would be the run's largest cost
        System.gc();
        double cpu = busyCpuSeconds();
        long t0 = System.nanoTime();
        RunSummary s = ex.run(spark, new Trivial());
        long t1 = System.nanoTime();
        cpu = busyCpuSeconds() - cpu;
        ex.drop();
        return new Timed((t1 - t0) / 1e9, (t1 - t0 + fill) / 1e9, s.total(), cpu);
    }

    public static void run(int runs) {
        SparkSession spark = Bench.spark("local[2]");
        for (String db : Bench.databases()) {
            // per mode, the runs' times; "flat N" is the flat grid of as many rows as the async run of its round
            Map<String, List<Timed>> times = new LinkedHashMap<>();
            for (String m : List.of("flat", "sync", "async", "flat N")) {
                times.put(m, new ArrayList<>());
            }
            // the first rounds warm up the JIT and the database's caches and are not counted; the modes take turns
            for (int r = -WARM_UP; r < runs; r++) {
                Timed flat = time(spark, config(db, "bench_halving", null, SYNC_ROWS));
                Timed sync = time(spark, config(db, "bench_halving", "sync", 0));
                if (sync.rows() != SYNC_ROWS) {
                    throw new IllegalStateException("sync halving ran " + sync.rows() + " rows, expected " + SYNC_ROWS);
                }
                Timed async = time(spark, config(db, "bench_halving", "async", 0));
                Timed flatN = time(spark, config(db, "bench_halving", null, (int) async.rows()));
                if (r >= 0) {
                    times.get("flat").add(flat);
                    times.get("sync").add(sync);
                    times.get("async").add(async);
                    times.get("flat N").add(flatN);
                }
            }
            List<String> cpu = new ArrayList<>();
            times.forEach((mode, ts) -> {
                List<Double> c = new ArrayList<>();
                ts.forEach(t -> c.add(t.cpu() * 1000));
                cpu.add(String.format(Locale.ROOT, "%s %.0f ms %s", mode, Bench.median(c), Bench.fmt(c)));
            });
            System.out.printf(
                    Locale.ROOT,
                    "halving %-10s the machine's busy CPU time per run (all processes, 10 ms ticks), median: %s%n",
                    db,
                    String.join("; ", cpu));
            List<Double> asyncRows = new ArrayList<>();
            times.get("async").forEach(t -> asyncRows.add((double) t.rows()));
            for (boolean withFill : new boolean[] {false, true}) {
                System.out.printf(
                        Locale.ROOT,
                        "halving %-10s 1,000 configurations, eta 3, rungs 1/3/9, local[2], experiments of %d ms, %s:"
                                + " flat %,d rows %s;"
                                + " sync %s (%s); async (ASHA, median %,.0f rows %s) %s; flat of the async run's rows"
                                + " %s (async %s)%n",
                        db,
                        Long.getLong("bench.experiment-ms", 0),
                        withFill ? "fill and run" : "the run",
                        SYNC_ROWS,
                        seconds(times.get("flat"), withFill),
                        seconds(times.get("sync"), withFill),
                        overPaired(times.get("sync"), times.get("flat"), withFill),
                        Bench.median(asyncRows),
                        Bench.fmt(asyncRows),
                        seconds(times.get("async"), withFill),
                        seconds(times.get("flat N"), withFill),
                        overPaired(times.get("async"), times.get("flat N"), withFill));
            }
        }
    }

    private static List<Double> pick(List<Timed> ts, boolean withFill) {
        List<Double> out = new ArrayList<>();
        ts.forEach(t -> out.add(withFill ? t.withFill() : t.run()));
        return out;
    }

    private static String seconds(List<Timed> ts, boolean withFill) {
        List<Double> s = pick(ts, withFill);
        return String.format(Locale.ROOT, "median %.3f s %s", Bench.median(s), Bench.fmt(s));
    }

    /** How much longer the first took than the second: of the medians, and the median of the rounds' ratios. */
    private static String overPaired(List<Timed> a, List<Timed> b, boolean withFill) {
        List<Double> x = pick(a, withFill);
        List<Double> y = pick(b, withFill);
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < x.size(); i++) {
            ratios.add(x.get(i) / y.get(i));
        }
        return String.format(
                Locale.ROOT,
                "%+.0f%% of the medians, %+.0f%% the median of the rounds' ratios",
                (Bench.median(x) / Bench.median(y) - 1) * 100,
                (Bench.median(ratios) - 1) * 100);
    }
}
