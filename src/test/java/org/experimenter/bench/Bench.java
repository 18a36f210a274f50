package org.experimenter.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.experimenter.Experimenter;
import org.experimenter.RunSummary;
import org.experimenter.Status;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.eval.ResultTable;
import org.experimenter.store.ExperimentStore;
import org.experimenter.testing.TestDb;

/**
 * The benchmark suite: prepares its own tables, runs each scenario several times and prints
 * medians. Figures are printed, never asserted. Usage: {@code Bench <scenario> [runs]} with
 * scenario one of fill, overhead, startup, eval, memory, web, all.
 */
public final class Bench {
    private static final String PG = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final Path DIR = Path.of("target", "bench");

    private Bench() {}

    public static void main(String[] args) throws Exception {
        String scenario = args.length > 0 ? args[0] : "all";
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Files.createDirectories(DIR);
        System.out.println(machine());
        switch (scenario) {
            case "fill":
                fill(runs);
                break;
            case "overhead":
                overhead(runs);
                break;
            case "startup":
                startup(runs);
                break;
            case "eval":
                eval(runs);
                break;
            case "halving":
                HalvingBench.run(runs);
                break;
            case "memory":
                memory();
                break;
            case "web":
                WebBench.run(runs);
                break;
            case "compare":
                CompareBench.run(runs);
                break;
            default:
                throw new IllegalArgumentException("unknown scenario " + scenario
                        + "; expected fill, overhead, startup, eval, memory, web or compare");
        }
        System.exit(0);
    }

    static String machine() {
        Runtime rt = Runtime.getRuntime();
        return String.format(
                Locale.ROOT,
                "machine: %d cores, %s, Java %s, max heap %d MB, %s",
                rt.availableProcessors(),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                System.getProperty("java.version"),
                rt.maxMemory() >> 20,
                cpuModel());
    }

    private static String cpuModel() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    return l.substring(l.indexOf(':') + 1).trim();
                }
            }
        } catch (Exception e) {
            // not Linux
        }
        return "unknown CPU";
    }

    /** The URL of a database by its name here: postgresql, sqlite (a file per table) or mariadb. */
    static String url(String db, String table) {
        switch (db) {
            case "postgresql":
                return PG;
            case "mariadb":
                return TestDb.mariaDbUrl();
            case "sqlite":
                return "jdbc:sqlite:" + DIR.resolve(table + ".db");
            default:
                throw new IllegalArgumentException("bench: unknown database " + db + "; postgresql, sqlite or mariadb");
        }
    }

    static String userLine(String db) {
        return db.equals("postgresql")
                ? "database.user = postgres\n"
                : db.equals("mariadb") ? "database.user = " + TestDb.mariaDbUser() + "\n" : "";
    }

    /** A config for a 1,000,000-row grid: 100 x 100 x 100. */
    static ExperimentConfig config(String db, String table, String extra) {
        String url = url(db, table);
        String user = userLine(db);
        return ExperimentConfig.parse(
                "database { url = \"" + url + "\", table = " + table + " }\n" + user
                        + "keyfields {\n  a { type = int, values = { start = 0, stop = 100 } }\n"
                        + "  b { type = int, values = { start = 0, stop = 100 } }\n"
                        + "  seed { type = int, values = { start = 0, stop = 100 } }\n}\n"
                        + "resultfields { score = double, loss = double }\n" + extra,
                "bench");
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    static String fmt(List<Double> xs) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < xs.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", xs.get(i)));
        }
        return b.append("]").toString();
    }

    // ---- 1. fill ------------------------------------------------------------------------------

    static void fill(int runs) {
        for (String db : databases()) {
            List<Double> first = new ArrayList<>();
            List<Double> again = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                Experimenter ex = Experimenter.of(config(db, "bench_fill", ""));
                ex.drop();
                long t0 = System.nanoTime();
                long n = ex.fill();
                first.add((System.nanoTime() - t0) / 1e9);
                long t1 = System.nanoTime();
                long m = ex.fill();
                again.add((System.nanoTime() - t1) / 1e9);
                if (n != 1_000_000 || m != 0) {
                    throw new IllegalStateException("fill inserted " + n + " then " + m);
                }
            }
            System.out.printf(
                    Locale.ROOT,
                    "fill %-10s 1,000,000 rows: median %.2f s %s (target <= 20 s); again (adds 0): median %.2f s %s (target <= 20 s)%n",
                    db,
                    median(first),
                    fmt(first),
                    median(again),
                    fmt(again));
        }
    }

    // ---- 2. overhead per experiment -----------------------------------------------------------

    static SparkSession spark(String master) {
        return SparkSession.builder()
                .master(master)
                .appName("experimenter-bench")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.ui.showConsoleProgress", "false")
                .getOrCreate();
    }

    static ExperimentConfig small(String db, String table, int rows) {
        String url = url(db, table);
        String user = userLine(db);
        return ExperimentConfig.parse(
                "database { url = \"" + url + "\", table = " + table + " }\n" + user
                        + "keyfields { i { type = int, values = { start = 0, stop = " + rows + " } } }\n"
                        + "resultfields { score = double }\n",
                "bench");
    }

    static void overhead(int runs) throws Exception {
        SparkSession spark = spark("local[2]");
        int rows =
                Integer.getInteger("bench.rows", 20_000); // -Dbench.rows=100000 shows the fixed cost of a run amortized
        for (String db : databases()) {
            List<Double> ours = new ArrayList<>();
            List<Double> inRun = new ArrayList<>();
            List<Double> plain = new ArrayList<>();
            double warmUp = 0;
            // run 0 warms up the JIT and the database's caches and is printed apart, not counted
            for (int r = 0; r <= runs; r++) {
                Experimenter ex = Experimenter.of(small(db, "bench_overhead", rows));
                ex.drop();
                ex.fill();
                long t0 = System.nanoTime();
                RunSummary s = ex.run(spark, ctx -> ctx.results().put("score", 1.0));
                double secs = (System.nanoTime() - t0) / 1e9;
                if (s.count(Status.DONE) != rows) {
                    throw new IllegalStateException("run wrote " + s.counts());
                }
                if (r == 0) {
                    warmUp = rows / secs;
                    continue;
                }
                ours.add(rows / secs);
                // the same run without Spark's job start and the summary: first start to last end in the table
                org.apache.spark.sql.Row span = ex.sql(
                                spark,
                                "SELECT unix_millis(max(end_date)) - unix_millis(min(start_date)) FROM bench_overhead")
                        .first();
                inRun.add(rows / (span.getLong(0) / 1000.0));
                // the baseline: a plain loop of single-row autocommit UPDATEs on the same table
                ExperimentStore store = TestDb.store(ex);
                try (Connection c = store.connect();
                        PreparedStatement ps = c.prepareStatement(
                                "UPDATE bench_overhead SET status = 'done', score = ? WHERE id = ?")) {
                    long t1 = System.nanoTime();
                    for (int id = 1; id <= rows; id++) {
                        ps.setDouble(1, 2.0);
                        ps.setLong(2, id);
                        ps.executeUpdate();
                    }
                    plain.add(rows / ((System.nanoTime() - t1) / 1e9));
                }
            }
            double ratio = median(ours) / median(plain);
            System.out.printf(
                    Locale.ROOT,
                    "overhead %-10s %,d experiments on local[2]: median %.0f experiments/s %s (target >= %d), whole run;"
                            + " %.0f/s from first start to last end %s; plain autocommit UPDATE loop: median %.0f rows/s %s;"
                            + " ratio ours/plain %.2f (whole run), %.2f (first start to last end); warm-up run (not counted) %.0f/s%n",
                    db,
                    rows,
                    median(ours),
                    fmt(ours),
                    db.equals("sqlite") ? 3000 : 5000,
                    median(inRun),
                    fmt(inRun),
                    median(plain),
                    fmt(plain),
                    ratio,
                    median(inRun) / median(plain),
                    warmUp);
        }
    }

    // ---- 3. start-up at scale -----------------------------------------------------------------

    /** The databases to measure: -Dbench.dbs=sqlite (or postgresql, mariadb, or a list) picks; all three by default. */
    static List<String> databases() {
        return Arrays.asList(
                System.getProperty("bench.dbs", "postgresql,sqlite,mariadb").split(","));
    }

    static void startup(int runs) throws Exception {
        for (String db : databases()) {
            Experimenter ex = Experimenter.of(config(db, "bench_startup", ""));
            ex.drop();
            ex.fill();
            ex.resetWhere("1 = 1");
            List<Double> delays = new ArrayList<>();
            SparkSession spark = spark("local[2]");
            for (int r = 0; r < runs; r++) {
                markDone(ex, 990_000);
                long[] firstStart = {0};
                long sparkUp = System.nanoTime();
                Path marker = DIR.resolve("first-start-" + db + "-" + r);
                Files.deleteIfExists(marker);
                String m = marker.toString();
                ex.run(spark, ctx -> {
                    Path p = Path.of(m);
                    if (!Files.exists(p)) {
                        try {
                            Files.writeString(p, Long.toString(System.nanoTime()));
                        } catch (java.nio.file.FileAlreadyExistsException e) {
                            // another task was first
                        }
                    }
                    ctx.results().put("score", 1.0);
                });
                long first = Long.parseLong(Files.readString(marker).trim());
                delays.add((first - sparkUp) / 1e9);
                firstStart[0] = first;
            }
            System.out.printf(
                    Locale.ROOT,
                    "startup %-10s 1,000,000 rows, 990,000 done: first experiment starts median %.2f s %s after the SparkSession is up (target <= 5 s)%n",
                    db,
                    median(delays),
                    fmt(delays));
            ex.drop();
        }
    }

    /** All rows created, then the first n done. */
    static void markDone(Experimenter ex, int n) throws Exception {
        ex.resetWhere("1 = 1");
        try (Connection c = TestDb.store(ex).connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("UPDATE "
                    + ex.config().table() + " SET status = 'done', score = id % 7, loss = id % 11 WHERE id <= ?")) {
                ps.setLong(1, n);
                ps.executeUpdate();
            }
            c.commit();
        }
    }

    // ---- 5. evaluation ------------------------------------------------------------------------

    static void eval(int runs) throws Exception {
        for (String db : databases()) {
            Experimenter ex = Experimenter.of(config(db, "bench_eval", ""));
            ex.drop();
            ex.fill();
            markDone(ex, 1_000_000);
            List<Double> times = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                SparkSession spark = spark("local[2]");
                long t0 = System.nanoTime();
                ResultTable t = ResultTable.of(ex.evaluate(spark, List.of("seed")));
                times.add((System.nanoTime() - t0) / 1e9);
                if (t.rows().size() != 10_000) {
                    throw new IllegalStateException("eval gave " + t.rows().size() + " groups");
                }
                spark.stop();
            }
            System.out.printf(
                    Locale.ROOT,
                    "eval %-10s 1,000,000 done rows, 3 keyfields over seed, 2 result fields: median %.2f s %s (target <= 30 s, includes Spark start)%n",
                    db,
                    median(times),
                    fmt(times));
            ex.drop();
        }
    }

    // ---- 6. memory ----------------------------------------------------------------------------

    static void memory() throws Exception {
        String db = System.getProperty("bench.db", "postgresql");
        Experimenter ex = Experimenter.of(config(db, "bench_memory", "execution.partitions = 64\n"));
        ex.drop();
        ex.fill();
        SparkSession spark = spark("local[2]");
        long t0 = System.nanoTime();
        RunSummary s = ex.run(spark, ctx -> ctx.results().put("score", 1.0));
        double secs = (System.nanoTime() - t0) / 1e9;
        long peak = 0;
        for (java.lang.management.MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == java.lang.management.MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.printf(
                Locale.ROOT,
                "memory %-10s 1,000,000 open rows with -Xmx%d MB: %s done in %.1f s, peak heap %d MB%n",
                db,
                Runtime.getRuntime().maxMemory() >> 20,
                s.count(Status.DONE),
                secs,
                peak >> 20);
        ex.drop();
    }
}
