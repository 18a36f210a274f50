package org.experimenter.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.experimenter.Status;
import org.experimenter.eval.CellTest;
import org.experimenter.eval.Comparisons;
import org.experimenter.eval.Evaluation;
import org.experimenter.eval.ResultTable;
import org.experimenter.eval.TableFormat;
import org.experimenter.eval.stats.CdDiagram;
import org.experimenter.eval.stats.ComparisonFormat;
import org.experimenter.eval.stats.MethodComparison;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web view's API over HTTP, on each database, on a table made by real runs (see {@link
 * WebFixture}): what each view answers, the --where rule, the token, the Host check, actions and
 * their CSRF token, and no password anywhere. Tests that change rows come last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class WebApiContractTest {
    @TempDir
    static Path dir;

    WebFixture f;
    WebServer server;
    WebClient client;
    final List<String> logs = java.util.Collections.synchronizedList(new ArrayList<>());
    // held here: the logging framework keeps loggers only weakly, and a new one would lack the handler
    private final Logger experimenterLog = Logger.getLogger("org.experimenter");
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            logs.add(r.getMessage() + (r.getThrown() == null ? "" : " " + r.getThrown()));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    abstract TestDb db();

    /** A password the config carries (the database ignores it), or null where it cannot. */
    abstract String secret();

    @BeforeAll
    void makeTableAndServe() throws Exception {
        experimenterLog.addHandler(capture);
        f = new WebFixture(db(), dir, secret()).make();
        server = f.serve("127.0.0.1", null, false);
        client = new WebClient(server.port());
    }

    @AfterAll
    void stop() throws Exception {
        experimenterLog.removeHandler(capture);
        if (server != null) {
            server.close();
        }
        if (f != null) {
            f.close();
        }
    }

    @Test
    @Order(1)
    void theOverviewCountsEveryStatusAsTheTableHasItAndShowsTheRunHoldingARow() throws Exception {
        JsonNode o = client.json("/api/overview");
        Map<Status, Long> counts = f.store.counts();
        for (Status s : Status.values()) {
            assertEquals(
                    counts.get(s).longValue(), o.get("counts").get(s.dbName()).asLong(), s.dbName());
        }
        assertEquals(72, o.get("total").asLong());
        assertEquals(1, counts.get(Status.RUNNING));
        assertEquals(11, counts.get(Status.CREATED));
        assertTrue(counts.get(Status.PAUSED) > 0 && counts.get(Status.ERROR) > 0 && counts.get(Status.DONE) > 0);
        JsonNode running = null;
        for (JsonNode r : o.get("runs")) {
            if (r.get("running").asLong() == 1) {
                running = r;
            }
        }
        assertNotNull(running, "the run holding the row: " + o.get("runs"));
        assertTrue(running.get("active").asBoolean());
        assertEquals(
                60,
                o.get("runs").findValues("attempts").stream()
                        .mapToLong(JsonNode::asLong)
                        .sum());
        // every done row came from this build: one code version, no warning
        assertEquals(1, o.get("codeVersions").size(), o.toString());
        assertTrue(o.get("codeVersionWarning").isNull(), o.toString());
    }

    @Test
    @Order(2)
    void theTableFiltersByStatusAndByTheWhereRule() throws Exception {
        JsonNode errors = client.json("/api/rows" + WebClient.q(Map.of("status", "error", "limit", "500")));
        assertEquals(f.count("status = 'error'"), errors.get("total").asLong());
        assertEquals(f.ids("status = 'error'", "id"), ids(errors));

        JsonNode some = client.json("/api/rows" + WebClient.q(Map.of("where", "k >= 4 AND seed = 1", "limit", "500")));
        assertEquals(f.ids("k >= 4 AND seed = 1", "id"), ids(some));
        assertEquals(some.get("rows").size(), some.get("total").asLong());

        JsonNode both = client.json(
                "/api/rows" + WebClient.q(Map.of("status", "done,paused", "where", "score > 40", "limit", "500")));
        assertEquals(f.ids("status IN ('done', 'paused') AND score > 40", "id"), ids(both));

        JsonNode hostile = client.json(
                "/api/rows" + WebClient.q(Map.of("where", "name = '" + WebFixture.SCRIPT + "'", "limit", "500")));
        assertEquals(18, hostile.get("total").asLong());
        for (JsonNode r : hostile.get("rows")) {
            assertEquals(WebFixture.SCRIPT, r.get("name").asText());
        }
    }

    @Test
    @Order(2)
    void theTableEvaluationAndPlotSelectAStageComposedWithTheWhereRule() throws Exception {
        JsonNode grid = client.json("/api/rows" + WebClient.q(Map.of("stage", "1", "limit", "500")));
        assertEquals(f.count("stage = 1"), grid.get("total").asLong());
        assertEquals(f.store.rows().size(), grid.get("total").asLong(), "a fill's rows are the grid's stage 1");
        List<String> columns = new ArrayList<>();
        grid.get("columns").forEach(c -> columns.add(c.asText()));
        assertTrue(columns.contains("stage") && columns.contains("parent_id"), columns.toString());

        JsonNode some = client.json(
                "/api/rows" + WebClient.q(Map.of("where", "k >= 4 AND seed = 1", "stage", "1", "limit", "500")));
        assertEquals(f.ids("k >= 4 AND seed = 1", "id"), ids(some));
        assertEquals(
                0,
                client.json("/api/rows" + WebClient.q(Map.of("where", "k >= 4", "stage", "2")))
                        .get("total")
                        .asLong());
        HttpResponse<String> zero = client.get("/api/rows?stage=0");
        assertEquals(400, zero.statusCode());
        assertTrue(zero.body().contains("--stage 0: stages are numbered from 1"), zero.body());

        JsonNode e = client.json("/api/eval?over=seed&stage=1");
        assertTrue(
                e.get("command").asText().contains("--stage 1"),
                e.get("command").asText());
        HttpResponse<String> none = client.get("/api/eval?over=seed&stage=2");
        assertEquals(400, none.statusCode());
        assertTrue(none.body().contains("has no rows in stage 2"), none.body());
        assertEquals(
                400, client.get("/api/plot.svg?x=k&y=score&over=seed&stage=2").statusCode());
        assertEquals(
                200, client.get("/api/plot.svg?x=k&y=score&over=seed&stage=1").statusCode());
    }

    @Test
    @Order(3)
    void theTableSortsByAnyColumnWithRowsWithoutAValueLastAndPagesOnTheServer() throws Exception {
        List<Map<String, Object>> all = f.store.rows();
        for (String dir : List.of("asc", "desc")) {
            Comparator<Map<String, Object>> byScore = Comparator.comparing(
                    r -> (Double) r.get("score"), Comparator.nullsLast(Comparator.<Double>naturalOrder()));
            Comparator<Map<String, Object>> byId = Comparator.comparing(r -> (Long) r.get("id"));
            if (dir.equals("desc")) {
                byScore = Comparator.comparing(
                        r -> (Double) r.get("score"), Comparator.nullsLast(Comparator.<Double>reverseOrder()));
                byId = byId.reversed();
            }
            List<Long> expected = all.stream()
                    .sorted(byScore.thenComparing(byId))
                    .map(r -> (Long) r.get("id"))
                    .toList();
            JsonNode page = client.json("/api/rows" + WebClient.q(Map.of("sort", "score", "dir", dir, "limit", "500")));
            assertEquals(expected, ids(page), "sort by score " + dir);
            JsonNode second = client.json(
                    "/api/rows" + WebClient.q(Map.of("sort", "score", "dir", dir, "offset", "10", "limit", "10")));
            assertEquals(expected.subList(10, 20), ids(second), "the second page of 10, by score " + dir);
            assertEquals(72, second.get("total").asLong());
            JsonNode late = client.json(
                    "/api/rows" + WebClient.q(Map.of("sort", "score", "dir", dir, "offset", "60", "limit", "10")));
            assertEquals(expected.subList(60, 70), ids(late), "a page in the second half, read from the end");
            JsonNode last = client.json(
                    "/api/rows" + WebClient.q(Map.of("sort", "score", "dir", dir, "offset", "70", "limit", "10")));
            assertEquals(expected.subList(70, 72), ids(last), "the last page, part full");
            assertEquals(0, client.json("/api/rows?offset=72").get("rows").size(), "past the end");
        }
        HttpResponse<String> bad = client.get("/api/rows?sort=nope");
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("cannot sort by nope"), bad.body());
        assertFalse(
                client.json("/api/rows").get("columns").toString().contains("claim_token"),
                "the claim token is the key to a running row's writes");
    }

    @Test
    @Order(4)
    void aConditionOutsideTheWhereRuleIsRefusedNamingWhy() throws Exception {
        for (String[] c : new String[][] {
            {"id IN (SELECT id FROM other)", "--where"},
            {"nope > 1", "unknown column nope"},
            {"1 = 1; DROP TABLE " + f.store.table(), "--where"},
            {"lower(name) = 'x'", "functions such as lower"}
        }) {
            HttpResponse<String> r = client.get("/api/rows" + WebClient.q(Map.of("where", c[0])));
            assertEquals(400, r.statusCode(), c[0]);
            assertTrue(WebClient.parse(r).get("error").asText().contains(c[1]), r.body());
        }
        assertEquals(72, f.count("1 = 1"), "the table is still there");
        // a list naming a field twice would repeat its work: 1,200 copies of a field kept a core busy for seconds
        HttpResponse<String> twice = client.get("/api/eval?over=seed&stats=all&fields=score,score");
        assertEquals(400, twice.statusCode(), twice.body());
        assertTrue(WebClient.parse(twice).get("error").asText().contains("fields: score is named twice"), twice.body());
    }

    @Test
    @Order(5)
    void failuresAreGroupedByErrorKindAndExceptionClassEachWithItsStackTracesAndAttempts() throws Exception {
        JsonNode g = client.json("/api/failures");
        Map<String, Long> counts = new java.util.HashMap<>();
        String stateKey = null;
        for (JsonNode x : g.get("groups")) {
            counts.put(
                    x.get("kind").asText() + " " + x.get("exception").asText(),
                    x.get("count").asLong());
            if (x.get("exception").asText().equals("java.lang.IllegalStateException")) {
                stateKey = x.get("key").asText();
            }
        }
        assertEquals(
                Map.of(
                        "exception java.lang.IllegalStateException",
                        12L,
                        "exception java.lang.IllegalArgumentException",
                        4L),
                counts);
        assertEquals(16, g.get("errorRows").asLong());
        JsonNode rows = client.json("/api/failures/rows" + WebClient.q(Map.of("key", stateKey, "limit", "50")));
        assertEquals(12, rows.get("total").asLong());
        assertEquals(12, rows.get("rows").size());
        for (JsonNode r : rows.get("rows")) {
            assertTrue(r.get("row").get("error").asText().contains("IllegalStateException: bad k 3"));
            assertTrue(r.get("row").get("error").asText().contains("at org.experimenter"), "the whole stack trace");
            assertEquals(1, r.get("attempts").size());
            assertEquals("exception", r.get("attempts").get(0).get("outcome").asText());
        }
    }

    @Test
    @Order(6)
    void evaluationDownloadsAreExactlyWhatTheEvalCommandWrites() throws Exception {
        ResultTable expected = f.ex.evaluation(f.spark).over(List.of("seed")).collect();
        String q = "?over=seed&format=";
        assertEquals(
                TableFormat.CSV.render(expected, 4),
                client.get("/api/eval" + q + "csv").body());
        assertEquals(
                TableFormat.MARKDOWN.render(expected, 4),
                client.get("/api/eval" + q + "markdown").body());
        HttpResponse<String> latex = client.get("/api/eval" + q + "latex&precision=2");
        assertEquals(TableFormat.LATEX.render(expected, 2), latex.body());
        assertTrue(latex.headers().firstValue("Content-Disposition").orElse("").contains("-eval.tex"));

        JsonNode j = client.json("/api/eval?over=seed");
        assertEquals(
                TableFormat.shown(expected, 4).cells().size(),
                j.get("shown").get("cells").size());
        assertTrue(j.get("leftOut").has("error"), "rows not done are counted: " + j.get("leftOut"));
        assertTrue(j.get("command").asText().startsWith("scripts/experimenter eval -c conf/test.conf --over seed"));

        ResultTable pivot =
                f.ex.evaluation(f.spark).over(List.of("seed")).pivot(List.of("k"), List.of("name"), "score", false);
        JsonNode p = client.json("/api/eval?over=seed&rows=k&columns=name&value=score");
        JsonNode best = p.get("shown").get("best");
        assertEquals(pivot.size(), best.size());
        int marked = 0;
        for (int r = 0; r < pivot.size(); r++) {
            List<String> header = new ArrayList<>();
            p.get("shown").get("header").forEach(h -> header.add(h.asText()));
            for (int c = 0; c < header.size(); c++) {
                boolean isBest = pivot.columns().contains(header.get(c)) && pivot.isBest(r, header.get(c));
                assertEquals(isBest, best.get(r).get(c).asBoolean(), "row " + r + ", " + header.get(c));
                marked += isBest ? 1 : 0;
            }
        }
        assertTrue(marked >= pivot.size(), "a best cell in every row");

        HttpResponse<String> unknown = client.get("/api/eval?over=nope");
        assertEquals(400, unknown.statusCode());
        assertTrue(unknown.body().contains("--over nope: no such keyfield"), unknown.body());
    }

    @Test
    @Order(6)
    void aTestedPivotAndAComparisonAreWhatTheCommandsGive() throws Exception {
        String q = "/api/eval?over=seed&rows=k&columns=name&value=score&test=wilcoxon";
        ResultTable tested = f.ex.evaluation(f.spark)
                .over(List.of("seed"))
                .pivot(List.of("k"), List.of("name"), "score", false, CellTest.parse("wilcoxon", null, null));
        assertEquals(
                TableFormat.MARKDOWN.render(tested, 4),
                client.get(q + "&format=markdown").body());
        JsonNode j = client.json(q);
        TableFormat.Shown shown = TableFormat.shown(tested, 4);
        assertEquals(shown.legend().size(), j.get("shown").get("legend").size());
        assertTrue(j.get("shown").get("legend").get(0).asText().startsWith("underlined: not significantly worse"));
        for (int r = 0; r < shown.marked().size(); r++) {
            for (int c = 0; c < shown.marked().get(r).size(); c++) {
                assertEquals(
                        shown.marked().get(r).get(c),
                        j.get("shown").get("marked").get(r).get(c).asBoolean());
            }
        }
        assertTrue(
                j.get("command").asText().endsWith("--value score --test wilcoxon"),
                j.get("command").asText());
        assertEquals(400, client.get(q + "&alpha=2").statusCode());

        String cq = "/api/compare?methods=name&datasets=k&value=score&over=seed";
        Evaluation e = f.ex.evaluation(f.spark).over(List.of("seed"));
        MethodComparison c = Comparisons.of(e, "k", "name", "score", false, null, 0.05);
        JsonNode cj = client.json(cq);
        assertEquals(
                ComparisonFormat.write(c, "text", Comparisons.what(e, "score", false)),
                cj.get("text").asText());
        assertTrue(
                cj.get("command").asText().startsWith("scripts/experimenter compare -c conf/test.conf --methods name"));
        assertEquals(
                ComparisonFormat.write(c, "json", "-"),
                client.get(cq + "&format=json").body());
        HttpResponse<String> svg = client.get(cq.replace("/api/compare", "/api/compare.svg"));
        assertEquals(200, svg.statusCode(), svg.body());
        assertEquals(CdDiagram.of(c).svg(), svg.body());
        HttpResponse<String> bad = client.get("/api/compare?methods=name&datasets=nope&value=score");
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("--datasets nope"), bad.body());
        // the stage narrows the comparison as on every other page (before, stage= was not read here)
        assertEquals(
                cj.get("text").asText(),
                client.json(cq + "&stage=1").get("text").asText());
        assertEquals(400, client.get(cq + "&stage=2").statusCode(), "stage 2 has no rows");
    }

    @Test
    @Order(7)
    void theRungsAreThoseOfEvalRungAndATableWithoutAHalvingSectionIsRefusedInOneLine() throws Exception {
        HttpResponse<String> none = client.get("/api/rungs");
        assertEquals(400, none.statusCode());
        assertTrue(none.body().contains(": --rung needs a halving section; this config has none"), none.body());
        assertFalse(client.json("/api/meta").get("halving").asBoolean());

        // a halving run of its own, one data set named like markup: the page shows it as text
        String hostile = "<b onmouseover=x>";
        org.experimenter.config.ExperimentConfig c = db().config(
                        dir,
                        TestDb.uniqueTable("webrungs"),
                        String.join(
                                "\n",
                                "keyfields {",
                                "  dataset { type = string, values = [a, \"" + hostile + "\"] }",
                                "  x { type = int, values = { start = 0, stop = 9 } }",
                                "  epochs { type = int }",
                                "}",
                                "resultfields { val_loss = double }",
                                "halving { field = epochs, min = 1, max = 9, eta = 3, by = [dataset], value = val_loss,"
                                        + " lower-is-better = true }",
                                ""));
        org.experimenter.Experimenter ex = org.experimenter.Experimenter.of(c);
        try {
            assertEquals(18, ex.fill());
            ex.run(f.spark, new org.experimenter.testing.Experiments.HalvingObjective());
            org.experimenter.eval.Rungs r = org.experimenter.eval.Rungs.of(c);
            org.experimenter.eval.Rungs.Tables t = r.read(ex.evaluation(f.spark));
            try (WebServer s = WebServer.start(
                    c,
                    new WebServer.Options(
                            "127.0.0.1", 0, null, false, java.time.Duration.ofMillis(300), "conf/test.conf"),
                    () -> f.spark,
                    false)) {
                WebClient w = new WebClient(s.port());
                assertTrue(w.json("/api/meta").get("halving").asBoolean());
                JsonNode j = w.json("/api/rungs");
                assertEquals(TableFormat.shown(t.rungs(), 4).cells(), cells(j.get("rungs")));
                assertEquals(
                        List.of(
                                List.of(hostile, "3", "1.0300", "0.0300", "1.0300", "done"),
                                List.of("a", "5", "1.0500", "0.0500", "1.0500", "done")),
                        cells(j.get("paths")));
                assertEquals(
                        "scripts/experimenter eval -c conf/test.conf --rung",
                        j.get("command").asText());
                assertEquals(
                        TableFormat.CSV.render(t.rungs(), 4),
                        w.get("/api/rungs?format=csv").body());
                assertEquals(
                        TableFormat.CSV.render(t.paths(), 4),
                        w.get("/api/rungs?format=csv&paths=true").body());
                assertEquals(
                        r.text(t, TableFormat.MARKDOWN, 2),
                        w.get("/api/rungs?format=markdown&precision=2").body());
                JsonNode a = w.json("/api/rungs?where="
                        + java.net.URLEncoder.encode("dataset = 'a'", java.nio.charset.StandardCharsets.UTF_8));
                assertEquals(List.of(List.of("a", "5", "1.0500", "0.0500", "1.0500", "done")), cells(a.get("paths")));
                assertEquals(13, a.get("rungs").get("cells").size());
            }
        } finally {
            TestDb.store(ex).drop();
        }
    }

    private static List<List<String>> cells(JsonNode shown) {
        List<List<String>> out = new ArrayList<>();
        for (JsonNode row : shown.get("cells")) {
            List<String> r = new ArrayList<>();
            row.forEach(c -> r.add(c.asText()));
            out.add(r);
        }
        return out;
    }

    @Test
    @Order(7)
    void thePlotIsAnSvgWithEveryValueEscaped() throws Exception {
        HttpResponse<String> r = client.get("/api/plot.svg?x=k&y=score&over=seed&band=ci95");
        assertEquals(200, r.statusCode(), r.body());
        // a size beyond an int is out of range, not cut to one that fits
        assertEquals(
                400,
                client.get("/api/plot.svg?x=k&y=score&over=seed&width=4294967396")
                        .statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("image/svg+xml"));
        assertTrue(r.body().startsWith("<svg"), r.body().substring(0, 100));
        assertTrue(r.body().contains("name=&lt;script&gt;alert(1)&lt;/script&gt;"), "the legend names the line");
        assertFalse(r.body().contains("<script"), "no script element in the picture");
        assertEquals(400, client.get("/api/plot.svg?x=name&y=score").statusCode(), "x must be numeric");
    }

    @Test
    @Order(8)
    void oneRowHasItsParametersAttemptsAndLogTableCurve() throws Exception {
        long id = f.ids("status = 'done' AND name = '" + WebFixture.UNICODE + "'", "id")
                .get(0);
        JsonNode r = client.json("/api/row?id=" + id);
        assertEquals(WebFixture.UNICODE, r.get("row").get("name").asText());
        assertEquals(WebFixture.UNICODE, r.get("row").get("note").asText());
        assertEquals(1, r.get("attempts").size());
        assertEquals("done", r.get("attempts").get(0).get("outcome").asText());
        JsonNode log = r.get("logtables").get(0);
        assertEquals("epochs", log.get("name").asText());
        assertEquals(5, log.get("rows").size());
        assertEquals(1, log.get("rows").get(0).get("epoch").asInt());
        assertEquals(1, log.get("rows").get(0).get("attempt").asInt());
        HttpResponse<String> chart = client.get("/api/row/log.svg?id=" + id + "&table=epochs&x=epoch&y=loss");
        assertEquals(200, chart.statusCode(), chart.body());
        assertTrue(chart.body().contains("loss by epoch"));
        assertEquals(404, client.get("/api/row?id=999999").statusCode());
    }

    @Test
    @Order(9)
    void offLoopbackEveryRequestNeedsTheTokenWhichTheAddressMovesIntoACookie() throws Exception {
        String token = "a-test-token-of-enough-length";
        try (WebServer open = f.serve("0.0.0.0", token, false)) {
            assertTrue(open.needsToken());
            assertTrue(open.url().endsWith("/?token=" + token), open.url());
            assertEquals(401, new WebClient(open.port()).get("/api/meta").statusCode());
            assertEquals(401, new WebClient(open.port()).get("/").statusCode(), "the page itself too");
            assertEquals(
                    401,
                    new WebClient(open.port(), "Authorization", "Bearer wrong")
                            .get("/api/meta")
                            .statusCode());
            assertEquals(
                    200,
                    new WebClient(open.port(), "Authorization", "Bearer " + token)
                            .get("/api/meta")
                            .statusCode());
            assertEquals(
                    200,
                    new WebClient(open.port(), "X-Experimenter-Token", token)
                            .get("/api/rows")
                            .statusCode());
            assertEquals(
                    200,
                    new WebClient(open.port(), "Cookie", Access.cookieName(open.port()) + "=" + token)
                            .get("/")
                            .statusCode());
            HttpResponse<String> bootstrap = new WebClient(open.port()).get("/?token=" + token);
            assertEquals(303, bootstrap.statusCode());
            assertEquals("/", bootstrap.headers().firstValue("Location").orElse(null));
            String cookie = bootstrap.headers().firstValue("Set-Cookie").orElse("");
            assertTrue(cookie.startsWith("experimenter_token_" + open.port() + "=" + token + ";"), cookie);
            assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
            assertEquals(401, new WebClient(open.port()).get("/?token=wrong").statusCode());
        }
        try (WebServer generated = f.serve("0.0.0.0", null, false)) {
            assertTrue(generated.needsToken(), "a token is made when none is given");
            assertTrue(generated.url().matches("http://.*/\\?token=[A-Za-z0-9_-]{43}"), generated.url());
        }
    }

    @Test
    @Order(10)
    void onLoopbackOnlyRequestsNamingALoopbackHostAreAnswered() throws Exception {
        int port = server.port();
        assertTrue(WebClient.rawGet(port, "/api/meta", "127.0.0.1:" + port).contains(" 200"));
        assertTrue(WebClient.rawGet(port, "/api/meta", "localhost:" + port).contains(" 200"));
        assertTrue(
                WebClient.rawGet(port, "/api/meta", "attacker.example:" + port).contains(" 403"),
                "a DNS name pointed at 127.0.0.1 by another site");
        assertFalse(server.needsToken());
    }

    @Test
    @Order(11)
    void everyAnswerCarriesThePolicyThatForbidsInlineScripts() throws Exception {
        for (String path : List.of("/", "/static/app.js", "/api/meta", "/api/rows?sort=nope")) {
            HttpResponse<String> r = client.get(path);
            String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
            assertTrue(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), path + ": " + csp);
            assertEquals(
                    "nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(null), path);
        }
        assertFalse(client.get("/static/app.js").body().contains("innerHTML"), "the page never parses values as HTML");
        assertEquals(404, client.get("/static/../pom.xml").statusCode());
    }

    @Test
    @Order(12)
    void requestsForNewAnswersBeyondAFewPendingAreRefusedAtOnce() throws Exception {
        // the server's queue of Spark answers, the same whatever the database: on one (CI's time)
        assumeTrue(db() == TestDb.SQLITE, "the queue of answers is tested on SQLite");
        // 20 evaluations nobody asked before, at once: before, each queued its Spark job and every
        // request waited its turn (a client that gave up left its job in the queue for everyone)
        int n = 20;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n);
        try {
            List<java.util.concurrent.Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String where =
                        java.net.URLEncoder.encode("id > -" + (1000 + i), java.nio.charset.StandardCharsets.UTF_8);
                answers.add(pool.submit(() -> client.get("/api/eval?over=seed&where=" + where)));
            }
            int ok = 0;
            int busy = 0;
            for (java.util.concurrent.Future<HttpResponse<String>> f : answers) {
                HttpResponse<String> r = f.get();
                if (r.statusCode() == 503) {
                    busy++;
                    assertTrue(r.body().contains("try again in a moment"), r.body());
                } else {
                    assertEquals(200, r.statusCode(), r.body());
                    ok++;
                }
            }
            assertTrue(busy >= n - 2 * SparkViews.MAX_PENDING, ok + " answered, " + busy + " refused");
            assertTrue(ok >= 1, ok + " answered, " + busy + " refused");
        } finally {
            pool.shutdownNow();
        }
        assertEquals(200, client.get("/api/eval?over=seed").statusCode(), "answers again once the others are done");
    }

    @Test
    @Order(20)
    void actionsAreRefusedWithoutAllowActions() throws Exception {
        long errorId = f.ids("status = 'error'", "id").get(0);
        JsonNode meta = client.json("/api/meta");
        assertFalse(meta.get("actions").get("allowed").asBoolean());
        assertTrue(meta.get("actions").get("csrf").isNull(), "no CSRF token to act with");
        HttpResponse<String> r =
                client.post("/api/actions/reset", "{\"ids\": [" + errorId + "]}", "Content-Type", "application/json");
        assertEquals(403, r.statusCode());
        assertTrue(r.body().contains("--allow-actions"), r.body());
        assertEquals("error", f.store.row(errorId).get("status"));
    }

    @Test
    @Order(21)
    void allowedActionsNeedTheCsrfTokenLeaveRunningRowsAloneAndAreLogged() throws Exception {
        long errorId = f.ids("status = 'error'", "id").get(0);
        long runningId = f.ids("status = 'running'", "id").get(0);
        long pausedId = f.ids("status = 'paused'", "id").get(0);
        try (WebServer acting = f.serve("127.0.0.1", null, true)) {
            WebClient c = new WebClient(acting.port());
            String csrf = c.json("/api/meta").get("actions").get("csrf").asText();
            String body = "{\"ids\": [" + errorId + ", " + runningId + "]}";
            String json = "application/json";
            assertEquals(
                    403,
                    c.post("/api/actions/reset", body, "Content-Type", json).statusCode(),
                    "no CSRF token");
            assertEquals(
                    403,
                    c.post("/api/actions/reset", body, "Content-Type", json, "X-CSRF-Token", "forged")
                            .statusCode());
            assertEquals(
                    403,
                    c.post(
                                    "/api/actions/reset",
                                    body,
                                    "Content-Type",
                                    json,
                                    "X-CSRF-Token",
                                    csrf,
                                    "Origin",
                                    "http://attacker.example")
                            .statusCode(),
                    "from another origin");
            assertEquals(
                    415,
                    c.post("/api/actions/reset", body, "Content-Type", "text/plain", "X-CSRF-Token", csrf)
                            .statusCode(),
                    "a form post cannot carry JSON");
            assertEquals("error", f.store.row(errorId).get("status"), "nothing was reset yet");

            HttpResponse<String> ok = c.post("/api/actions/reset", body, "Content-Type", json, "X-CSRF-Token", csrf);
            assertEquals(200, ok.statusCode(), ok.body());
            assertEquals(1, WebClient.parse(ok).get("reset").asInt(), "the running row is left to its run");
            assertEquals("created", f.store.row(errorId).get("status"));
            assertEquals("running", f.store.row(runningId).get("status"));
            assertTrue(
                    logs.stream()
                            .anyMatch(l -> l.contains("web action from 127.0.0.1: reset 1 row of " + f.store.table()
                                    + " (ids " + errorId + ", " + runningId + ")")),
                    String.join("\n", logs));

            HttpResponse<String> un = c.post(
                    "/api/actions/unpause",
                    "{\"ids\": [" + pausedId + "]}",
                    "Content-Type",
                    json,
                    "X-CSRF-Token",
                    csrf);
            assertEquals(200, un.statusCode(), un.body());
            assertEquals("created", f.store.row(pausedId).get("status"));
            assertTrue(logs.stream().anyMatch(l -> l.contains("unpaused 1 row")));
            assertEquals(
                    404,
                    c.post("/api/actions/reset", "{\"ids\": [999999]}", "Content-Type", json, "X-CSRF-Token", csrf)
                            .statusCode());
        }
    }

    @Test
    @Order(25)
    void theOverviewWarnsWhenTheDoneRowsComeFromMoreThanOneCodeVersion() throws Exception {
        String other = "<b>v2</b> & \"dirty\"";
        try (var c = f.store.connect();
                var ps = c.prepareStatement("UPDATE " + f.store.table() + "__attempts SET code_version = ?, code_dirty"
                        + " = 1 WHERE experiment_id IN (SELECT id FROM " + f.store.table() + " WHERE k = 1)")) {
            ps.setString(1, other);
            ps.executeUpdate();
        }
        List<org.experimenter.store.CodeVersionCount> versions = f.store.codeVersionsOfDoneRows();
        assertEquals(2, versions.size(), versions.toString());
        // a new server reads the code versions at its first look (one running reads them again
        // when the rows change, at most every 30 s)
        try (WebServer again = f.serve("127.0.0.1", null, false)) {
            JsonNode o = new WebClient(again.port()).json("/api/overview");
            assertEquals(2, o.get("codeVersions").size(), o.toString());
            for (int i = 0; i < versions.size(); i++) {
                JsonNode v = o.get("codeVersions").get(i);
                assertEquals(versions.get(i).codeVersion(), v.get("codeVersion").asText());
                assertEquals(versions.get(i).rows(), v.get("rows").asLong());
                assertEquals(versions.get(i).dirty(), v.get("dirty").asBoolean());
            }
            String warning = o.get("codeVersionWarning").asText();
            assertEquals(org.experimenter.store.CodeVersionCount.warning(f.store.table(), versions), warning);
            assertTrue(
                    warning.startsWith("the done rows of " + f.store.table() + " come from 2 code versions: "),
                    warning);
            assertTrue(
                    warning.contains(
                            other + " (" + f.count("k = 1 AND status = 'done'") + " rows, uncommitted changes)"),
                    warning);
        }
    }

    @Test
    @Order(30)
    void thePasswordReachesNoAnswerAndNoLog() throws Exception {
        String secret = secret();
        assumeTrue(secret != null, "this database takes no password");
        client.json("/api/meta");
        client.get("/api/rows?where=" + java.net.URLEncoder.encode("nope = 1", "UTF-8"));
        assertTrue(client.bodies.size() > 20, "every answer of this class was kept: " + client.bodies.size());
        for (String b : client.bodies) {
            assertFalse(b.contains(secret), "an answer holds the password: " + b);
        }
        for (String l : logs) {
            assertFalse(l.contains(secret), "a log line holds the password: " + l);
        }
        assertTrue(
                client.json("/api/meta").get("database").asText().contains("password=***"),
                "the URL is shown redacted");
    }

    private static List<Long> ids(JsonNode page) {
        List<Long> out = new ArrayList<>();
        page.get("rows").forEach(r -> out.add(r.get("id").asLong()));
        return out;
    }
}
