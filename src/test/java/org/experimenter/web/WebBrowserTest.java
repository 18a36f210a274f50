package org.experimenter.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.experimenter.Status;
import org.experimenter.eval.CellTest;
import org.experimenter.eval.Comparisons;
import org.experimenter.eval.Evaluation;
import org.experimenter.eval.ResultTable;
import org.experimenter.eval.TableFormat;
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
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Every view of the web page in a real headless Chromium (Debian's chromium and chromium-driver,
 * which .ci/run installs), on a SQLite table with done, error, running, paused and created rows
 * made by real runs. Saves a screenshot of each view under target/web-screenshots.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebBrowserTest {
    static final Path SHOTS = Path.of("target", "web-screenshots");
    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    @TempDir
    static Path dir;

    WebFixture f;
    WebServer server;
    ChromeDriver driver;
    WebDriverWait wait;
    String base;

    @BeforeAll
    void start() throws Exception {
        for (String exe : List.of(CHROMIUM, CHROMEDRIVER)) {
            assertTrue(
                    Files.isExecutable(Path.of(exe)),
                    exe + " is missing: install Debian's chromium and chromium-driver (.ci/run does when missing)");
        }
        Files.createDirectories(SHOTS);
        f = new WebFixture(TestDb.SQLITE, dir, null).make();
        server = f.serve("127.0.0.1", null, false);
        base = "http://127.0.0.1:" + server.port() + "/";
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM);
        o.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-dev-shm-usage",
                "--window-size=1280,860",
                "--user-data-dir=" + Files.createTempDirectory(dir, "chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .build();
        driver = new ChromeDriver(service, o);
        wait = new WebDriverWait(driver, Duration.ofSeconds(60), Duration.ofMillis(100));
        wait.ignoring(StaleElementReferenceException.class);
    }

    @AfterAll
    void stop() throws Exception {
        if (driver != null) {
            driver.quit();
        }
        if (server != null) {
            server.close();
        }
        if (f != null) {
            f.close();
        }
    }

    @Test
    @Order(1)
    void theOverviewShowsRowsPerStatusAndTheRunsSeen() throws Exception {
        driver.get(base + "#/overview");
        for (Status s : Status.values()) {
            long n = f.store.counts().get(s);
            wait.until(d -> text("count-" + s.dbName()).equals(Long.toString(n)));
        }
        assertEquals("72", text("count-total"));
        assertEquals("1", text("count-running"));
        assertEquals("read-only", text("mode"));
        wait.until(d -> text("live").contains("live"));
        assertEquals(2, driver.findElements(By.cssSelector("#runs tr")).size() - 1, "two runs so far");
        shoot("overview");
    }

    @Test
    @Order(2)
    void aRunStartedBesideThePageMovesItsCountsWithoutAReload() throws Exception {
        driver.get(base + "#/overview");
        long done = f.store.counts().get(Status.DONE);
        wait.until(d -> text("count-done").equals(Long.toString(done)));
        js("window.stillTheSamePage = true;");
        Thread run = f.runTheRest(300);
        Set<String> seen = new LinkedHashSet<>();
        boolean rateShown = false;
        boolean shot = false;
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!text("count-done").equals(Long.toString(done + 11)) && System.nanoTime() < deadline) {
            seen.add(text("count-done"));
            rateShown |= text("rate").endsWith("rows/s");
            // halfway through, for the picture in docs/evaluation.md
            if (!shot
                    && Long.parseLong(text("count-done")) >= done + 5
                    && !text("count-created").equals("0")) {
                shoot("overview-live");
                shot = true;
            }
            Thread.sleep(100);
        }
        run.join(60_000);
        assertEquals(Long.toString(done + 11), text("count-done"));
        assertEquals("0", text("count-created"));
        assertEquals(Boolean.TRUE, js("return window.stillTheSamePage === true;"), "the page was never reloaded");
        seen.add(text("count-done"));
        assertTrue(seen.size() >= 3, "the count moved step by step: " + seen);
        assertTrue(rateShown, "a rate was shown while the run went on");
        assertEquals(3, driver.findElements(By.cssSelector("#runs tr")).size() - 1, "the new run is listed");
    }

    @Test
    @Order(3)
    void theTableFiltersByStatusAndWhereAndSortsByAColumnHeader() throws Exception {
        driver.get(base + "#/table");
        wait.until(d -> text("page-info").equals("rows 1–50 of 72"));
        shoot("table");
        driver.findElement(By.cssSelector("#table-form input[name=status][value=error]"))
                .click();
        driver.findElement(By.cssSelector("#table-form button[type=submit]")).click();
        wait.until(d -> text("page-info").equals("rows 1–16 of 16"));
        for (WebElement s : driver.findElements(By.cssSelector("#rows td[data-col=status]"))) {
            assertEquals("error", s.getText());
        }
        assertEquals(f.ids("status = 'error'", "id"), shownIds());

        driver.findElement(By.cssSelector("#table-form input[name=status][value=error]"))
                .click();
        WebElement where = driver.findElement(By.cssSelector("#table-form input[name=where]"));
        where.clear();
        where.sendKeys("k >= 4 AND seed = 1");
        driver.findElement(By.cssSelector("#table-form button[type=submit]")).click();
        List<Long> expected = f.ids("k >= 4 AND seed = 1", "id");
        wait.until(d -> text("page-info").equals("rows 1–" + expected.size() + " of " + expected.size())
                && shownIds().equals(expected));

        driver.findElement(By.cssSelector("#rows th[data-col=score]")).click();
        wait.until(d -> headerText("score").endsWith("▲"));
        List<Double> up = scores();
        driver.findElement(By.cssSelector("#rows th[data-col=score]")).click();
        wait.until(d -> headerText("score").endsWith("▼"));
        List<Double> down = scores();
        assertEquals(expected.size(), up.size());
        for (int i = 1; i < up.size(); i++) {
            assertTrue(up.get(i - 1) <= up.get(i), "ascending: " + up);
            assertTrue(down.get(i - 1) >= down.get(i), "descending: " + down);
        }
        assertTrue(up.get(0) < up.get(up.size() - 1), "not all equal: " + up);

        WebElement bad = driver.findElement(By.cssSelector("#table-form input[name=where]"));
        bad.clear();
        bad.sendKeys("id IN (SELECT id FROM x)");
        driver.findElement(By.cssSelector("#table-form button[type=submit]")).click();
        WebElement alert = wait.until(d -> d.findElement(By.cssSelector("[role=alert]")));
        assertTrue(alert.getText().startsWith("--where \"id IN (SELECT id FROM x)\""), alert.getText());
    }

    @Test
    @Order(4)
    void hostileValuesShowAsTheTextTheyAre() throws Exception {
        driver.get(base + "#/table?where=" + java.net.URLEncoder.encode("k = 1 AND seed = 0", "UTF-8"));
        wait.until(d -> text("page-info").equals("rows 1–4 of 4"));
        List<String> names = new ArrayList<>();
        for (WebElement td : driver.findElements(By.cssSelector("#rows td[data-col=name]"))) {
            names.add(td.getText());
        }
        assertEquals(WebFixture.NAMES, names);
        List<String> notes = new ArrayList<>();
        for (WebElement td : driver.findElements(By.cssSelector("#rows td[data-col=note]"))) {
            notes.add(td.getText());
        }
        assertEquals(WebFixture.NAMES, notes, "result values too");
        assertNoInjection();

        long id = f.ids("name = '" + WebFixture.SCRIPT + "' AND status = 'done'", "id")
                .get(0);
        driver.get(base + "#/row?id=" + id);
        WebElement name = wait.until(d -> d.findElement(By.cssSelector("#row-parameters td[data-col=name]")));
        assertEquals(WebFixture.SCRIPT, name.getText());
        assertNoInjection();

        driver.get(base + "#/eval?over=seed,k&fields=score");
        wait.until(d -> !d.findElements(By.cssSelector("#eval-table td")).isEmpty());
        List<String> first = new ArrayList<>();
        for (WebElement tr : driver.findElements(By.cssSelector("#eval-table tr"))) {
            List<WebElement> tds = tr.findElements(By.tagName("td"));
            if (!tds.isEmpty()) {
                first.add(tds.get(0).getText());
            }
        }
        assertTrue(first.containsAll(WebFixture.NAMES), "grouped by name: " + first);
        assertNoInjection();
    }

    @Test
    @Order(5)
    void failuresOpenToTheirStackTracesAndAttempts() throws Exception {
        driver.get(base + "#/failures");
        wait.until(d -> text("failure-summary").startsWith("16 error rows in 2 group(s)"));
        WebElement group = driver.findElement(By.cssSelector("details.group"));
        assertTrue(group.getText().contains("java.lang.IllegalStateException"), group.getText());
        assertTrue(group.getText().startsWith("12"), group.getText());
        group.findElement(By.tagName("summary")).click();
        wait.until(d -> group.findElements(By.cssSelector(".failure")).size() == 10);
        WebElement first = group.findElement(By.cssSelector(".failure"));
        for (WebElement s : first.findElements(By.tagName("summary"))) {
            s.click();
        }
        String trace = first.findElement(By.cssSelector("pre.trace")).getText();
        assertTrue(trace.contains("java.lang.IllegalStateException: bad k 3"), trace);
        assertTrue(trace.contains("at org.experimenter.web.WebFixture$Behaviour.run"), trace);
        assertEquals(2, first.findElements(By.cssSelector("table.grid tr")).size(), "one attempt");
        assertTrue(group.getText().contains("rows 1–10 of 12"));
        shoot("failures");
    }

    @Test
    @Order(6)
    void theEvaluationShowsTheEvalTableAndAPivotWithTheBestCellsMarked() throws Exception {
        driver.get(base + "#/eval");
        wait.until(d -> !d.findElements(By.cssSelector("#eval-table td")).isEmpty());
        ResultTable expected = f.ex.evaluation(f.spark).over(List.of("seed")).collect();
        assertEquals(
                expected.size(),
                driver.findElements(By.cssSelector("#eval-table tr")).size() - 1);
        String href = driver.findElement(By.cssSelector("a.download[data-format=csv]"))
                .getAttribute("href");
        Object csv = ((JavascriptExecutor) driver)
                .executeAsyncScript(
                        "const done = arguments[1]; fetch(arguments[0]).then(r => r.text()).then(done);", href);
        assertEquals(TableFormat.CSV.render(expected, 4), csv, "the CSV download is what eval --format csv writes");

        driver.get(base + "#/eval?over=seed&rows=k&columns=name&value=score&stats=mean,std");
        wait.until(d -> !d.findElements(By.cssSelector("#eval-table td.best")).isEmpty());
        List<WebElement> rows = driver.findElements(By.cssSelector("#eval-table tr"));
        assertEquals(4, rows.size() - 1, "k = 1, 2, 4, 6 have done rows (k = 3 failed, k = 5 paused)");
        for (WebElement tr : rows.subList(1, rows.size())) {
            List<WebElement> tds = tr.findElements(By.tagName("td"));
            double max = Double.NEGATIVE_INFINITY;
            for (WebElement td : tds.subList(1, tds.size())) {
                max = Math.max(max, Double.parseDouble(td.getText().split(" ")[0]));
            }
            for (WebElement td : tds.subList(1, tds.size())) {
                boolean highest = Double.parseDouble(td.getText().split(" ")[0]) == max;
                assertEquals(
                        highest,
                        td.getAttribute("class").contains("best"),
                        "row " + tr.getText() + ": " + td.getText());
            }
        }
        shoot("eval");
    }

    @Test
    @Order(6)
    void aTestedPivotUnderlinesTheCellsNotSignificantlyWorseAndTheCompareTabDrawsTheDiagram() throws Exception {
        driver.get(base + "#/eval?over=seed&rows=k&columns=name&value=score&test=ttest");
        wait.until(d -> !d.findElements(By.cssSelector("#eval-legend li")).isEmpty());
        ResultTable tested = f.ex.evaluation(f.spark)
                .over(List.of("seed"))
                .pivot(List.of("k"), List.of("name"), "score", false, CellTest.parse("ttest", null, null));
        TableFormat.Shown shown = TableFormat.shown(tested, 4);
        List<WebElement> rows = driver.findElements(By.cssSelector("#eval-table tr"));
        for (int r = 1; r < rows.size(); r++) {
            List<WebElement> tds = rows.get(r).findElements(By.tagName("td"));
            for (int c = 0; c < tds.size(); c++) {
                assertEquals(
                        shown.marked().get(r - 1).get(c),
                        tds.get(c).getAttribute("class").contains("marked"),
                        "row " + r + ", column " + c);
            }
        }
        List<String> legend = new ArrayList<>();
        driver.findElements(By.cssSelector("#eval-legend li")).forEach(li -> legend.add(li.getText()));
        assertEquals(shown.legend(), legend);
        assertEquals(
                "ttest",
                driver.findElement(By.cssSelector("#eval-form select[name=test]"))
                        .getAttribute("value"));

        driver.get(base + "#/compare?methods=name&datasets=k&value=score&over=seed");
        wait.until(d -> !d.findElements(By.cssSelector("#compare-text")).isEmpty());
        Evaluation e = f.ex.evaluation(f.spark).over(List.of("seed"));
        MethodComparison c = Comparisons.of(e, "k", "name", "score", false, null, 0.05);
        assertEquals(
                ComparisonFormat.write(c, "text", Comparisons.what(e, "score", false))
                        .strip(),
                driver.findElement(By.id("compare-text")).getText().strip());
        wait.until(d -> ((Number) ((JavascriptExecutor) d)
                                .executeScript("return document.getElementById('cd-diagram').naturalWidth"))
                        .intValue()
                > 0);
        shoot("compare");
    }

    @Test
    @Order(7)
    void thePlotIsTheChartOfThePlotCommand() throws Exception {
        driver.get(base + "#/plot");
        WebElement img = wait.until(d -> d.findElement(By.id("plot-image")));
        wait.until(d -> ((Number) js("return document.getElementById('plot-image').naturalWidth;")).intValue() > 0);
        assertEquals("score by k", img.getAttribute("alt"));
        shoot("plot");
    }

    @Test
    @Order(8)
    void oneRowShowsItsParametersResultsAttemptsAndLossCurve() throws Exception {
        long id = f.ids("status = 'done' AND name = 'plain' AND k = 2 AND seed = 1", "id")
                .get(0);
        driver.get(base + "#/row?id=" + id);
        WebElement score = wait.until(d -> d.findElement(By.cssSelector("#row-results td[data-col=score]")));
        assertEquals("21", score.getText(), "10 k + seed + 0 for plain");
        assertEquals(2, driver.findElements(By.cssSelector("#row-attempts tr")).size(), "header and one attempt");
        wait.until(
                d -> ((Number) js("const i = document.querySelector('img.log-chart'); return i ? i.naturalWidth : 0;"))
                                .intValue()
                        > 0);
        shoot("row");
    }

    @Test
    @Order(9)
    void offLoopbackThePageNeedsTheTokenOnceAndThenKeepsItInACookie() throws Exception {
        String token = "browser-test-token-0123456789";
        try (WebServer open = f.serve("0.0.0.0", token, false)) {
            String at = "http://127.0.0.1:" + open.port() + "/";
            driver.get(at);
            assertTrue(driver.findElement(By.tagName("body")).getText().startsWith("401"), driver.getPageSource());
            driver.get(at + "?token=" + token);
            wait.until(d -> d.getCurrentUrl().equals(at + "#/overview")
                    || !d.findElements(By.id("count-done")).isEmpty());
            assertFalse(
                    driver.getCurrentUrl().contains("token"), "the token left the address: " + driver.getCurrentUrl());
            wait.until(d -> !d.findElements(By.id("count-done")).isEmpty());
            assertEquals("", js("return document.cookie;"), "the cookie is out of the scripts' reach (HttpOnly)");
            driver.get(at + "#/table");
            wait.until(d -> !d.findElements(By.id("page-info")).isEmpty());
        }
    }

    @Test
    @Order(10)
    void actionsAreRefusedWithoutAllowActions() throws Exception {
        driver.get(base + "#/table?status=error");
        wait.until(d -> text("page-info").startsWith("rows 1–"));
        assertTrue(driver.findElements(By.id("reset-selected")).isEmpty(), "no reset button on a read-only server");
        long id = f.ids("status = 'error'", "id").get(0);
        Object status = ((JavascriptExecutor) driver)
                .executeAsyncScript(
                        "const done = arguments[1]; fetch('/api/actions/reset', {method: 'POST', headers:"
                                + " {'Content-Type': 'application/json'}, body: JSON.stringify({ids: [arguments[0]]})})"
                                + ".then(r => done(r.status));",
                        id);
        assertEquals(403L, status);
        assertEquals("error", f.store.row(id).get("status"));
    }

    @Test
    @Order(11)
    void withAllowActionsChosenRowsAreResetFromTheTable() throws Exception {
        List<Long> errors = f.ids("status = 'error'", "id");
        try (WebServer acting = f.serve("127.0.0.1", null, true)) {
            driver.get("http://127.0.0.1:" + acting.port() + "/#/table?status=error");
            wait.until(d -> text("page-info").startsWith("rows 1–"));
            assertEquals("actions allowed", text("mode"));
            List<WebElement> picks = driver.findElements(By.cssSelector("#rows input.pick"));
            picks.get(0).click();
            picks.get(1).click();
            driver.findElement(By.id("reset-selected")).click();
            wait.until(d -> {
                try {
                    d.switchTo().alert().accept();
                    return true;
                } catch (NoAlertPresentException e) {
                    return false;
                }
            });
            wait.until(d -> "created".equals(f.store.row(errors.get(1)).get("status")));
            assertEquals("created", f.store.row(errors.get(0)).get("status"));
            assertEquals("error", f.store.row(errors.get(2)).get("status"), "only the chosen ones");
            wait.until(d -> text("page-info").equals("rows 1–" + (errors.size() - 2) + " of " + (errors.size() - 2)));
        }
    }

    @Test
    @Order(12)
    void theOverviewWarnsOfTwoCodeVersionsAsText() throws Exception {
        driver.get(base + "#/overview");
        wait.until(d -> text("count-total").equals("72"));
        assertEquals("", text("code-versions"), "one code version so far: no warning");
        String hostile = "<img src=x onerror=alert(1)><b>v2</b>";
        try (var c = f.store.connect();
                var ps = c.prepareStatement("UPDATE " + f.store.table() + "__attempts SET code_version = ? WHERE"
                        + " experiment_id IN (SELECT id FROM " + f.store.table() + " WHERE k = 1)")) {
            ps.setString(1, hostile);
            ps.executeUpdate();
        }
        String expected = "warning: "
                + org.experimenter.store.CodeVersionCount.warning(f.store.table(), f.store.codeVersionsOfDoneRows());
        try (WebServer again = f.serve("127.0.0.1", null, false)) {
            driver.get("http://127.0.0.1:" + again.port() + "/#/overview");
            wait.until(d -> text("code-versions").equals(expected));
            assertTrue(expected.contains(hostile), expected);
            // the overview has <b> figures of its own: no element inside the warning, no image anywhere
            assertThrows(NoAlertPresentException.class, () -> driver.switchTo().alert(), "no script of a value ran");
            assertEquals(0L, js("return document.getElementById('code-versions').children.length;"));
            assertEquals(0L, js("return document.querySelectorAll('img[src=x]').length;"));
            assertEquals(1L, js("return document.scripts.length;"), "no script element was added");
            shoot("overview-code-versions");
        }
    }

    @Test
    @Order(8)
    void theRungsPageShowsTheRungTableAndThePathsWithEveryValueAsText() throws Exception {
        driver.get(base + "#/rungs");
        wait.until(d -> text("rungs-none").startsWith("this config has no halving section"));

        // a halving run of its own, one data set named like a script
        org.experimenter.config.ExperimentConfig c = TestDb.SQLITE.config(
                dir,
                TestDb.uniqueTable("browserrungs"),
                "keyfields {\n  dataset { type = string, values = "
                        + WebFixture.hoconList(List.of("a", WebFixture.SCRIPT))
                        + " }\n  x { type = int, values = { start = 0, stop = 9 } }\n  epochs { type = int }\n}\n"
                        + "resultfields { val_loss = double }\n"
                        + "halving { field = epochs, min = 1, max = 9, eta = 3, by = [dataset], value = val_loss,"
                        + " lower-is-better = true }\n");
        org.experimenter.Experimenter ex = org.experimenter.Experimenter.of(c);
        ex.fill();
        ex.run(f.spark, new org.experimenter.testing.Experiments.HalvingObjective());
        try (WebServer s = WebServer.start(
                c,
                new WebServer.Options("127.0.0.1", 0, null, false, Duration.ofMillis(300), "conf/test.conf"),
                () -> f.spark,
                false)) {
            driver.get("http://127.0.0.1:" + s.port() + "/#/rungs");
            wait.until(d -> !d.findElements(By.cssSelector("#paths-table td")).isEmpty());
            List<List<String>> paths = new ArrayList<>();
            for (WebElement tr : driver.findElements(By.cssSelector("#paths-table tr"))) {
                List<String> cells = new ArrayList<>();
                tr.findElements(By.tagName("td")).forEach(td -> cells.add(td.getText()));
                if (!cells.isEmpty()) {
                    paths.add(cells);
                }
            }
            assertEquals(
                    List.of(
                            List.of(WebFixture.SCRIPT, "3", "1.0300", "0.0300", "1.0300", "done"),
                            List.of("a", "5", "1.0500", "0.0500", "1.0500", "done")),
                    paths);
            assertEquals(
                    26, driver.findElements(By.cssSelector("#rungs-table tr")).size() - 1);
            assertNoInjection();
            shoot("rungs");
        } finally {
            org.experimenter.testing.TestDb.store(ex).drop();
        }
    }

    private void assertNoInjection() {
        assertThrows(NoAlertPresentException.class, () -> driver.switchTo().alert(), "no script of a value ran");
        assertEquals(1L, js("return document.scripts.length;"), "no script element was added");
        assertEquals(
                0L, js("return document.querySelectorAll('main b, main img[src=x]').length;"), "no markup of a value");
    }

    private List<Long> shownIds() {
        List<Long> out = new ArrayList<>();
        for (WebElement tr : driver.findElements(By.cssSelector("#rows tr[data-id]"))) {
            out.add(Long.parseLong(tr.getAttribute("data-id")));
        }
        return out;
    }

    private List<Double> scores() {
        List<Double> out = new ArrayList<>();
        for (WebElement td : driver.findElements(By.cssSelector("#rows td[data-col=score]"))) {
            out.add(td.getText().isEmpty() ? Double.POSITIVE_INFINITY : Double.parseDouble(td.getText()));
        }
        return out;
    }

    /** An element's text read in one script: live updates may replace elements between two calls. */
    private String text(String id) {
        Object t = js("const e = document.getElementById('" + id + "'); return e ? e.innerText.trim() : '';");
        return String.valueOf(t);
    }

    /** A column header's text read in one script: a click on a header renders the whole table anew. */
    private String headerText(String column) {
        return String.valueOf(js("const e = document.querySelector('#rows th[data-col=" + column + "]');"
                + " return e ? e.innerText.trim() : '';"));
    }

    private Object js(String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
    }

    private void shoot(String name) throws Exception {
        Files.write(SHOTS.resolve(name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    }
}
