package org.experimenter.web;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.experimenter.Experiment;
import org.experimenter.ExperimentContext;
import org.experimenter.Experimenter;
import org.experimenter.RunOptions;
import org.experimenter.Status;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.store.ExperimentStore;
import org.experimenter.testing.TestDb;
import org.experimenter.testing.TestSpark;

/**
 * A table for the web view's tests, made by real runs: 4 names (among them hostile text) x k 1..6
 * x seed 0..2 = 72 rows, score = 10 k + seed + the name's place in {@link #NAMES}. The first run takes every row
 * but k = 6: done, except k = 3 (throws
 * IllegalStateException), k = 4 with seed 0 (throws IllegalArgumentException) and k = 5 (pauses).
 * A second run takes the row plain / 6 / 0 and holds it running until {@link #close()}; the other
 * k = 6 rows stay created for a run the test starts beside the page ({@link #runTheRest}).
 */
final class WebFixture implements AutoCloseable {
    static final String SCRIPT = "<script>alert(1)</script>";
    static final String QUOTES = "\"quoted\" 'single' & <b>bold</b>";
    static final String UNICODE = "ünïcødé ✓ 日本語 🙂";
    static final List<String> NAMES = List.of("plain", SCRIPT, QUOTES, UNICODE);
    static final String HOCON = "keyfields {\n"
            + "  name { type = string, values = " + hoconList(NAMES) + " }\n"
            + "  k { type = int, values = { start = 1, stop = 7 } }\n"
            + "  seed { type = int, values = { start = 0, stop = 3 } }\n"
            + "}\n"
            + "resultfields { score = double, note = string }\n"
            + "logtables { epochs { epoch = int, loss = double } }\n"
            + "lease { heartbeat-interval = 1s, missed-beats = 4 }\n";

    /** The row the second run holds, and how long the rows of the run beside the page take. */
    static volatile CountDownLatch hold = new CountDownLatch(0);

    static volatile long sleepMillis;

    /** The experiment of every run here; see the class comment for what each row does. */
    static final class Behaviour implements Experiment {
        private static final long serialVersionUID = 1L;

        @Override
        public void run(ExperimentContext ctx) throws Exception {
            String name = ctx.parameters().getString("name");
            int k = ctx.parameters().getInt("k");
            int seed = ctx.parameters().getInt("seed");
            if (k == 6 && seed == 0 && name.equals("plain")) {
                hold.await(5, TimeUnit.MINUTES);
            } else if (k == 6 && sleepMillis > 0) {
                Thread.sleep(sleepMillis);
            }
            if (k == 3) {
                throw new IllegalStateException("bad k " + k + " for " + name);
            }
            if (k == 4 && seed == 0) {
                throw new IllegalArgumentException("seed 0 refused for k 4");
            }
            for (int epoch = 1; epoch <= 5; epoch++) {
                ctx.log("epochs", Map.of("epoch", epoch, "loss", 1.0 / (epoch * k) + seed * 0.01));
            }
            ctx.results().put("score", k * 10.0 + seed + NAMES.indexOf(name)).put("note", name);
            if (k == 5) {
                ctx.pause();
            }
        }
    }

    final Experimenter ex;
    final ExperimentStore store;
    final SparkSession spark = TestSpark.session();
    private Thread holder;

    WebFixture(TestDb db, Path dir, String password) {
        ExperimentConfig c = db.config(dir, TestDb.uniqueTable("web"), HOCON);
        if (password != null) {
            String url = c.url() + (c.url().contains("?") ? "&" : "?") + "password=" + password;
            c = c.withOverrides(Map.of("database.password", password, "database.url", url));
        }
        this.ex = Experimenter.of(c);
        this.store = new ExperimentStore(c);
    }

    /** Fills the table, runs the first run and starts the second, which holds one row running. */
    WebFixture make() throws InterruptedException {
        ex.fill();
        sleepMillis = 0;
        ex.run(spark, new Behaviour(), RunOptions.all().where("k <> 6"));
        hold = new CountDownLatch(1);
        holder = new Thread(
                () -> ex.run(spark, new Behaviour(), RunOptions.all().where("k = 6 AND seed = 0 AND name = 'plain'")));
        holder.setDaemon(true);
        holder.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (store.counts().get(Status.RUNNING) < 1) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the held row never started running");
            }
            Thread.sleep(50);
        }
        return this;
    }

    /** The other k = 6 rows, each taking sleepMillis, run in a thread of their own; returns it started. */
    Thread runTheRest(long millis) {
        sleepMillis = millis;
        Thread t = new Thread(() ->
                ex.run(spark, new Behaviour(), RunOptions.all().where("k = 6 AND NOT (seed = 0 AND name = 'plain')")));
        t.setDaemon(true);
        t.start();
        return t;
    }

    ExperimentConfig config() {
        return ex.config();
    }

    WebServer serve(String host, String token, boolean actions) {
        return WebServer.start(
                config(),
                new WebServer.Options(host, 0, token, actions, Duration.ofMillis(300), "conf/test.conf"),
                () -> spark,
                false);
    }

    long count(String where) throws Exception {
        try (var c = store.connect();
                var rs =
                        c.createStatement().executeQuery("SELECT COUNT(*) FROM " + store.table() + " WHERE " + where)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    List<Long> ids(String where, String order) throws Exception {
        try (var c = store.connect();
                var rs = c.createStatement()
                        .executeQuery("SELECT id FROM " + store.table() + " WHERE " + where + " ORDER BY " + order)) {
            List<Long> out = new java.util.ArrayList<>();
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
            return out;
        }
    }

    @Override
    public void close() {
        hold.countDown();
        try {
            if (holder != null) {
                holder.join(60_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ex.drop();
    }

    static String hoconList(List<String> values) {
        StringBuilder b = new StringBuilder("[");
        for (String v : values) {
            b.append(b.length() > 1 ? ", " : "")
                    .append('"')
                    .append(v.replace("\\", "\\\\").replace("\"", "\\\""))
                    .append('"');
        }
        return b.append("]").toString();
    }
}
