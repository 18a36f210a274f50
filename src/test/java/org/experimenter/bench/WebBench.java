package org.experimenter.bench;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.experimenter.Experimenter;
import org.experimenter.Status;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.store.ExperimentStore;
import org.experimenter.store.PageReads;
import org.experimenter.testing.TestDb;
import org.experimenter.web.WebServer;

/**
 * The web view's answer times on the 1,000,000-row benchmark table (990,000 done, 5,000 error
 * with stack traces, 5,000 created; 995,000 attempts in four runs) and on an 80-row table of the
 * same shape, through HTTP from this JVM, as a page asks for them. Prints medians; asserts
 * nothing.
 */
final class WebBench {
    private WebBench() {}

    static void run(int runs) throws Exception {
        // the session as serve opens it
        SparkSession.Builder b = SparkSession.builder()
                .master("local[2]")
                .appName("experimenter-bench")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.ui.showConsoleProgress", "false");
        for (Map.Entry<String, String> e : WebServer.SPARK_DEFAULTS.entrySet()) {
            b = b.config(e.getKey(), e.getValue());
        }
        SparkSession spark = b.getOrCreate();
        for (String db : Bench.databases()) {
            Map<String, List<Double>> large = measure(db, 1_000_000, runs, spark);
            Map<String, List<Double>> small = measure(db, 80, runs, spark);
            for (Map.Entry<String, List<Double>> e : large.entrySet()) {
                List<Double> s = small.get(e.getKey());
                System.out.printf(
                        Locale.ROOT,
                        "web %-10s %-58s 1,000,000 rows: median %7.1f ms %s; 80 rows: %s%n",
                        db,
                        e.getKey(),
                        Bench.median(e.getValue()),
                        ms(e.getValue()),
                        s == null ? "-" : String.format(Locale.ROOT, "%.1f ms", Bench.median(s)));
            }
        }
        spark.stop();
    }

    private static Map<String, List<Double>> measure(String db, int rows, int runs, SparkSession spark)
            throws Exception {
        String table = rows > 100 ? "bench_web" : "bench_web_small";
        ExperimentConfig c = rows > 100
                ? Bench.config(db, table, "")
                : Bench.config(
                        db,
                        table,
                        "keyfields.a.values = [0, 1, 2, 3], keyfields.b.values = [0, 1],"
                                + " keyfields.seed.values = { start = 0, stop = 10 }\n");
        Experimenter ex = Experimenter.of(c);
        ExperimentStore store = TestDb.store(ex);
        prepare(ex, store);
        Map<String, List<Double>> out = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        try (WebServer server = WebServer.start(
                c,
                new WebServer.Options("127.0.0.1", 0, null, false, Duration.ofSeconds(2), "bench"),
                () -> spark,
                false)) {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.port();
            // the first overview waits for the first look; the attempts history takes a few looks more
            get(http, base + "/api/overview");
            double first = (System.nanoTime() - t0) / 1e6;
            while (!http.send(
                            HttpRequest.newBuilder(URI.create(base + "/api/overview"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body()
                    .contains("\"historyComplete\":true")) {
                Thread.sleep(50);
            }
            if (rows > 100) {
                out.put("start to the first overview", List.of(first));
                out.put("start to the whole attempts history read (995,000)", List.of((System.nanoTime() - t0) / 1e6));
            }
            PageReads pages = store.pages();
            Map<String, String> paths = new LinkedHashMap<>();
            paths.put("page (index.html)", "/");
            paths.put("meta", "/api/meta");
            paths.put("overview (latest look)", "/api/overview");
            paths.put("rows, first page by id", "/api/rows?limit=50");
            paths.put("rows, last page by id", "/api/rows?limit=50&offset=" + (rows - 50));
            paths.put("rows, status=error, page 2", "/api/rows?status=error&limit=50&offset=50");
            paths.put("rows, sorted by score desc, first page", "/api/rows?sort=score&dir=desc&limit=50");
            paths.put(
                    "rows, sorted by score desc, middle page",
                    "/api/rows?sort=score&dir=desc&limit=50&offset=" + rows / 2);
            paths.put(
                    "rows, where a < 50 AND seed = 3, sorted by loss",
                    "/api/rows?sort=loss&where=" + URLEncoder.encode("a < 50 AND seed = 3", StandardCharsets.UTF_8));
            paths.put("failures (groups, the first time per version)", "/api/failures");
            paths.put("one row with attempts", "/api/row?id=" + rows / 2);
            for (int r = 0; r < runs; r++) {
                for (Map.Entry<String, String> p : paths.entrySet()) {
                    out.computeIfAbsent(p.getKey(), k -> new ArrayList<>()).add(get(http, base + p.getValue()));
                }
                long l0 = System.nanoTime();
                pages.look();
                out.computeIfAbsent("overview look (counts, max attempt id, running rows)", k -> new ArrayList<>())
                        .add((System.nanoTime() - l0) / 1e6);
            }
            // evaluation: the first asks for Spark's copy of the table (read at start in the background)
            String over = "/api/eval?over=seed";
            out.put("eval over seed, first (waits for the copy read at start)", List.of(get(http, base + over)));
            for (int r = 0; r < runs; r++) {
                out.computeIfAbsent("eval over seed, again (answer cached)", k -> new ArrayList<>())
                        .add(get(http, base + over));
                out.computeIfAbsent("eval, new parameters (Spark on the cached copy)", k -> new ArrayList<>())
                        .add(get(http, base + "/api/eval?over=seed,b&stats=mean,ci95&where=a%3C" + (50 + r)));
                out.computeIfAbsent("eval pivot a x b, new parameters", k -> new ArrayList<>())
                        .add(get(
                                http, base + "/api/eval?over=seed&rows=a&columns=b&value=score&where=a%3C" + (10 + r)));
                out.computeIfAbsent("plot score by a (SVG), new parameters", k -> new ArrayList<>())
                        .add(get(http, base + "/api/plot.svg?x=a&y=score&over=seed,b&where=a%3C" + (90 + r)));
            }
        }
        ex.drop();
        return out;
    }

    /** 99% done, 0.5% error with a stack trace, 0.5% created; one attempt per row that ran, in four runs. */
    private static void prepare(Experimenter ex, ExperimentStore store) throws Exception {
        ex.drop();
        ex.fill();
        String t = ex.config().table();
        long n = store.counts().get(Status.CREATED);
        long done = n * 99 / 100;
        long error = n / 200;
        try (Connection conn = store.connect();
                Statement st = conn.createStatement()) {
            conn.setAutoCommit(false);
            st.executeUpdate("UPDATE " + t + " SET status = 'done', score = id % 7, loss = id % 11, start_date ="
                    + " creation_date, end_date = creation_date, run_id = 'bench-run-' || (id % 4) WHERE id <= "
                    + done);
            st.executeUpdate("UPDATE " + t + " SET status = 'error', error_kind = 'exception', error ="
                    + " 'java.lang.IllegalStateException: boom ' || (id % 3) || '\n\tat org.example.Exp.run(Exp.java:12)"
                    + "\n\tat org.experimenter.spark.RowSequence.execute(RowSequence.java:94)', end_date = creation_date WHERE id > "
                    + done + " AND id <= " + (done + error));
            st.executeUpdate("INSERT INTO " + t + "__attempts (experiment_id, attempt, run_id, spark_app, machine,"
                    + " executor, start_date, end_date, outcome, error) SELECT id, 1, 'bench-run-' || (id % 4),"
                    + " 'bench-app', 'bench', 'driver-t0', creation_date, creation_date, CASE WHEN status = 'error'"
                    + " THEN 'exception' ELSE 'done' END, NULL FROM " + t + " WHERE status <> 'created' ORDER BY id");
            conn.commit();
        }
        if (store.dialect().name().equals("postgresql")) {
            try (Connection conn = store.connect();
                    Statement st = conn.createStatement()) {
                st.execute("VACUUM ANALYZE " + t);
                st.execute("VACUUM ANALYZE " + t + "__attempts");
            }
        }
    }

    private static double get(HttpClient http, String url) throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofMinutes(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        double ms = (System.nanoTime() - t0) / 1e6;
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
        }
        return ms;
    }

    private static String ms(List<Double> xs) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < xs.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1f", xs.get(i)));
        }
        return b.append("]").toString();
    }
}
