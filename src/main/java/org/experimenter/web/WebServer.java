package org.experimenter.web;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.spark.sql.SparkSession;
import org.eclipse.jetty.http.spi.JettyHttpServer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.experimenter.ExperimenterException;
import org.experimenter.FieldType;
import org.experimenter.Status;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.eval.Stat;
import org.experimenter.grid.Parameter;
import org.experimenter.store.ExperimentStore;
import org.experimenter.store.dialect.Redact;

/**
 * The web server of {@code experimenter serve}: the page and its script from the jar, and a JSON
 * API over the experiment table. The handlers are written against {@code com.sun.net.httpserver}
 * and run on Jetty through its http-spi: the JDK's own server reads each request's headers on a
 * handler thread, so a few dozen clients that never finish a request held every thread; Jetty
 * reads them without a thread and hands over complete requests only. Read-only unless actions are
 * allowed; see {@link Access} for who may read and act.
 *
 * <pre>{@code
 * try (WebServer s = WebServer.start(config, options, () -> spark, false)) {
 *     System.out.println(s.url());
 * }
 * }</pre>
 */
public final class WebServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WebServer.class.getName());

    /** How many pages may follow the overview live at once (each holds a thread). */
    private static final int MAX_LIVE = 32;

    /** Connections one client address may hold: a browser opens 6 per server, and a page each live view. */
    static final int MAX_CONNECTIONS_PER_CLIENT = 64;

    /** How long a new connection has to send the headers of its first request. */
    static final Duration REQUEST_TIME = Duration.ofSeconds(10);

    /** How long a connection may be silent, between requests or within one. */
    private static final Duration IDLE = Duration.ofSeconds(30);

    /** The largest request line and headers read (a 431 above). */
    static final int MAX_HEADER_BYTES = 16 * 1024;

    /** The files of the page, by the path they are served at. */
    private static final Map<String, String[]> STATIC = Map.of(
            "/", new String[] {"web/index.html", "text/html; charset=utf-8"},
            "/static/app.js", new String[] {"web/app.js", "text/javascript; charset=utf-8"},
            "/static/app.css", new String[] {"web/app.css", "text/css; charset=utf-8"},
            "/static/favicon.svg", new String[] {"web/favicon.svg", "image/svg+xml"});

    /**
     * Settings of the session {@code serve} opens, which the config's {@code spark.conf} overrides:
     * no Spark UI (on every interface, beside a server that may listen on loopback only), and few
     * shuffle partitions: an evaluation of a million cached rows takes 0.9 s with 8, 4 to 8 s with
     * Spark's 200.
     */
    public static final Map<String, String> SPARK_DEFAULTS =
            Map.of("spark.ui.enabled", "false", "spark.sql.shuffle.partitions", "8");

    /** What {@code serve} was asked for. */
    public record Options(
            String host, int port, String token, boolean allowActions, Duration refresh, String configName) {}

    /** A handler of one path. */
    @FunctionalInterface
    private interface Route {
        void handle(Http h) throws IOException;
    }

    private final ExperimentConfig config;
    private final Options options;
    private final Server server;
    private final ServerConnector connector;
    private final Access access;
    private final Overview overview;
    private final SparkViews spark;
    private final Actions actions;
    private final Map<String, Route> routes = new LinkedHashMap<>();
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private final Semaphore live = new Semaphore(MAX_LIVE);
    private final String url;

    private WebServer(ExperimentConfig config, Options options, Supplier<SparkSession> spark, boolean ownsSession)
            throws IOException {
        this.config = config;
        this.options = options;
        InetAddress address = InetAddress.getByName(options.host());
        boolean loopback = address.isLoopbackAddress();
        String token = options.token();
        if (token == null && !loopback) {
            token = Access.random();
        }
        this.server = new Server(threads());
        this.connector = connector(server, address, options.port());
        // bound before anything else: the token's cookie is named after the port
        connector.open();
        try {
            this.access = new Access(token, loopback, connector.getLocalPort());
            ExperimentStore store = new ExperimentStore(config);
            store.createTableIfMissing();
            this.overview = new Overview(store, options.refresh());
            this.spark = new SparkViews(config, overview, spark, ownsSession);
            TableView table = new TableView(store, overview);
            FailuresView failures = new FailuresView(store, overview);
            EvalView eval = new EvalView(config, this.spark, options.configName());
            RowView row = new RowView(store);
            this.actions = new Actions(options.allowActions(), access, store, failures, overview);
            for (Map.Entry<String, String[]> f : STATIC.entrySet()) {
                files.put(f.getKey(), resource(f.getValue()[0]));
            }
            routes.put("/api/meta", this::meta);
            routes.put("/api/overview", h -> h.json(200, overview.latest()));
            routes.put("/api/events", this::events);
            routes.put("/api/rows", table::rows);
            routes.put("/api/failures", failures::groups);
            routes.put("/api/failures/rows", failures::rows);
            routes.put("/api/eval", eval::eval);
            routes.put("/api/plot.svg", eval::plot);
            routes.put("/api/compare", eval::compare);
            routes.put("/api/rungs", eval::rungs);
            routes.put("/api/compare.svg", eval::compareDiagram);
            routes.put("/api/row", row::row);
            routes.put("/api/row/log.svg", row::logChart);
            routes.put("/api/row/artifact", row::artifact);
            routes.put("/api/actions/reset", actions::reset);
            routes.put("/api/actions/unpause", actions::unpause);
            server.setHandler(new ContextHandlerCollection());
            new JettyHttpServer(server, false).createContext("/", this::dispatch);
            startJetty();
        } catch (IOException | RuntimeException e) {
            stopQuietly();
            connector.close();
            throw e;
        }
        overview.start();
        this.spark.warmUp();
        String shown = options.host();
        if (address.isAnyLocalAddress()) {
            try {
                shown = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                // no name for this machine: the address as given
            }
        }
        if (shown.contains(":")) {
            shown = "[" + shown + "]";
        }
        this.url = "http://" + shown + ":" + connector.getLocalPort() + "/"
                + (access.needsToken() ? "?token=" + token : "");
    }

    /** Live pages hold a thread each, at most MAX_LIVE of them; the others serve the rest. */
    private static QueuedThreadPool threads() {
        QueuedThreadPool threads = new QueuedThreadPool(MAX_LIVE + 24, 4);
        threads.setName("experimenter-web");
        threads.setDaemon(true);
        // a live page left open ends when its thread is interrupted
        threads.setStopTimeout(1000);
        return threads;
    }

    private static ServerConnector connector(Server server, InetAddress address, int port) {
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(MAX_HEADER_BYTES);
        http.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(address.getHostAddress());
        connector.setPort(port);
        connector.setAcceptQueueSize(64);
        connector.setIdleTimeout(IDLE.toMillis());
        connector.addEventListener(
                new ClientConnections(MAX_CONNECTIONS_PER_CLIENT, REQUEST_TIME, connector.getScheduler()));
        server.addConnector(connector);
        return connector;
    }

    /**
     * Starts a server over the config's table.
     *
     * @param spark opens the SparkSession of the evaluation and plot views, on first use
     * @param ownsSession whether {@link #close()} stops that session
     */
    public static WebServer start(
            ExperimentConfig config, Options options, Supplier<SparkSession> spark, boolean ownsSession) {
        try {
            return new WebServer(config, options, spark, ownsSession);
        } catch (IOException e) {
            throw new ExperimenterException(
                    "cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage(), e);
        }
    }

    /** The address to open, with the token when one is needed. */
    public String url() {
        return url;
    }

    /** The port listened on (the one chosen when asked for port 0). */
    public int port() {
        return connector.getLocalPort();
    }

    public boolean needsToken() {
        return access.needsToken();
    }

    private void dispatch(HttpExchange exchange) {
        Http h = new Http(exchange);
        try {
            if (!access.admit(h)) {
                return;
            }
            String path = h.path();
            byte[] file = files.get(path);
            if (file != null) {
                String type = STATIC.get(path)[1];
                h.headers(type);
                h.exchange.getResponseHeaders().set("Cache-Control", "no-cache");
                exchange.sendResponseHeaders(200, file.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(file);
                }
                exchange.close();
                return;
            }
            Route r = routes.get(path);
            if (r == null) {
                throw new Http.Failure(404, "no page " + path);
            }
            if (!path.startsWith("/api/actions/")
                    && !h.method().equals("GET")
                    && !h.method().equals("HEAD")) {
                throw new Http.Failure(405, path + " answers GET");
            }
            r.handle(h);
        } catch (Http.Failure f) {
            fail(h, f.status, f.getMessage());
        } catch (ExperimenterException e) {
            fail(h, 400, e.getMessage());
        } catch (IOException e) {
            // the page went away while it was answered
            exchange.close();
        } catch (RuntimeException e) {
            // the message without secrets, the stack trace as it was
            RuntimeException clean = new RuntimeException(redact(String.valueOf(e)));
            clean.setStackTrace(e.getStackTrace());
            LOG.log(Level.WARNING, "web view: " + h.path() + " failed", clean);
            fail(h, 500, "internal error: " + e + " (the server's log has the stack trace)");
        }
    }

    private void fail(Http h, int status, String message) {
        try {
            h.json(status, Map.of("error", redact(message)));
        } catch (IOException | RuntimeException e) {
            h.exchange.close();
        }
    }

    private String redact(String text) {
        return Redact.text(text, config.url(), config.password());
    }

    /** {@code /api/meta}: what the page needs to build its forms. */
    private void meta(Http h) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("table", config.table());
        m.put("database", Redact.url(config.url()));
        m.put("config", options.configName());
        List<Map<String, Object>> keys = new ArrayList<>();
        for (Parameter p : config.keyfields()) {
            keys.add(field(p.name(), p.type()));
        }
        m.put("keyfields", keys);
        List<Map<String, Object>> results = new ArrayList<>();
        config.resultfields().forEach((n, t) -> results.add(field(n, t)));
        m.put("resultfields", results);
        List<Map<String, Object>> logs = new ArrayList<>();
        config.logtables().forEach((name, cols) -> {
            List<Map<String, Object>> c = new ArrayList<>();
            cols.forEach((n, t) -> c.add(field(n, t)));
            logs.add(Map.of("name", name, "columns", c));
        });
        m.put("logtables", logs);
        m.put("columns", new ExperimentStore(config).pages().columns());
        List<String> statuses = new ArrayList<>();
        for (Status s : Status.values()) {
            statuses.add(s.dbName());
        }
        m.put("statuses", statuses);
        List<String> stats = new ArrayList<>();
        for (Stat s : Stat.values()) {
            stats.add(s.key());
        }
        m.put("stats", stats);
        m.put("halving", config.halving() != null);
        m.put("defaultOver", config.keyfield("seed") != null ? List.of("seed") : List.of());
        m.put("actions", actions.describe());
        m.put("refreshMillis", overview.interval().toMillis());
        h.json(200, m);
    }

    private static Map<String, Object> field(String name, FieldType type) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("name", name);
        f.put("type", type.configName());
        f.put("numeric", type == FieldType.INT || type == FieldType.LONG || type == FieldType.DOUBLE);
        return f;
    }

    /**
     * {@code /api/events}: server-sent events, one {@code overview} event with the snapshot after
     * every look at the table, so that the page's counts move without a reload.
     */
    private void events(Http h) throws IOException {
        if (!live.tryAcquire()) {
            throw new Http.Failure(503, "too many live pages (" + MAX_LIVE + "); reload later");
        }
        try {
            h.headers("text/event-stream; charset=utf-8");
            h.exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = h.exchange.getResponseBody()) {
                long seen = -1;
                while (!Thread.currentThread().isInterrupted()) {
                    Overview.Snapshot s = overview.awaitAfter(seen, 15_000);
                    String data =
                            s.seq() == seen ? ": still here\n\n" : "event: overview\ndata: " + Json.text(s) + "\n\n";
                    seen = s.seq();
                    out.write(data.getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } finally {
            live.release();
            h.exchange.close();
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = WebServer.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("the jar has no " + name + "; this is a bug");
            }
            return in.readAllBytes();
        }
    }

    /** Stops listening, ends the live pages, and stops Spark when the server owns it. */
    @Override
    public void close() {
        stopQuietly();
        overview.close();
        spark.close();
    }

    private void startJetty() throws IOException {
        try {
            server.start();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private void stopQuietly() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "web view: stopping the server failed", e);
        }
    }
}
