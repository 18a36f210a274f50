package org.experimenter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.experimenter.testing.Experiments;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line, in-process, on a SQLite file. */
class MainTest {
    @TempDir
    Path dir;

    Path conf;
    String table;

    @BeforeEach
    void writeConfig() throws Exception {
        table = TestDb.uniqueTable("cli");
        conf = dir.resolve("cli.conf");
        Files.writeString(
                conf,
                String.join(
                        "\n",
                        "database { url = \"jdbc:sqlite:" + dir.resolve("cli.db") + "\", table = " + table + " }",
                        "keyfields {",
                        "  x { type = int, values = [12, 13, 14] }",
                        "  seed { type = int, values = { start = 0, stop = 4 } }",
                        "}",
                        "resultfields { score = double }",
                        "custom { execution-log = \"" + dir.resolve("exec.log") + "\" }",
                        "experiment-class = \"" + Experiments.Logging.class.getName() + "\"",
                        "spark { master = \"local[2]\", conf { \"spark.ui.enabled\" = false } }",
                        ""));
    }

    /** Runs a command, returning exit code, standard output and standard error. */
    static String[] run(String... args) {
        return org.experimenter.testing.InProcessCli.run(args);
    }

    @Test
    void creatingTheTableIsADetailLineThatOnlyVerboseShows() throws Exception {
        java.util.logging.Logger setup = java.util.logging.Logger.getLogger("org.experimenter.store.TableSetup");
        List<String> published = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                published.add(r.getLevel() + " " + r.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        setup.addHandler(capture);
        try {
            String[] fill = run("fill", "--config", conf.toString());
            assertEquals("0", fill[0], fill[2]);
            assertTrue(fill[1].contains(table + ": 12 new rows"), fill[1]);
            assertEquals(List.of(), published, "log lines beside fill's own");
            assertEquals("0", run("drop", "--config", conf.toString(), "--yes")[0]);

            String[] verbose = run("fill", "--config", conf.toString(), "--verbose");
            assertEquals("0", verbose[0], verbose[2]);
            assertEquals(List.of("FINE created table " + table + " in sqlite"), published);
        } finally {
            setup.removeHandler(capture);
        }
    }

    @Test
    void theWholeLoopFromTheCommandLine() throws Exception {
        String c = conf.toString();
        String[] fill = run("fill", "--config", c);
        assertEquals("0", fill[0], fill[2]);
        assertTrue(fill[1].contains(table + ": 12 new rows (grid of 12)"), fill[1]);
        assertTrue(run("fill", "--config", c)[1].contains(": 0 new rows"));

        String[] status = run("status", "--config", c, "--json");
        assertEquals("{\"created\": 12, \"running\": 0, \"done\": 0, \"error\": 0, \"paused\": 0}\n", status[1]);

        String[] r = run("run", "--config", c);
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("12 experiments"), r[1]);
        assertTrue(r[1].contains("done     8") && r[1].contains("error    4"), r[1]);
        assertTrue(r[1].contains("duration per experiment: min"), r[1]);
        assertTrue(
                r[2].contains(" progress " + table + ": 12/12 finished (100%), 8 done, 4 errors, 0 running, "),
                "the last progress line: " + r[2]);
        assertEquals(
                "{\"created\": 0, \"running\": 0, \"done\": 8, \"error\": 4, \"paused\": 0}\n",
                run("status", "--config", c, "--json")[1]);

        String[] csv = run("eval", "--config", c, "--format", "csv");
        assertEquals("0", csv[0], csv[2]);
        assertEquals("x,score_mean,score_std,score_count\n12,121.5000,1.2910,4\n14,141.5000,1.2910,4\n", csv[1]);
        assertTrue(csv[2].contains("left out 4 rows not done (4 error)\n"), csv[2]);

        String[] latex = run(
                "eval",
                "--config",
                c,
                "--format",
                "latex",
                "--output",
                dir.resolve("t.tex").toString());
        assertEquals("0", latex[0], latex[2]);
        String tex = Files.readString(dir.resolve("t.tex"));
        assertEquals(
                "\\begin{tabular}{rrr}\n\\toprule\nx & score & score\\_count \\\\\n\\midrule\n"
                        + "12 & 121.5000 $\\pm$ 1.2910 & 4 \\\\\n14 & 141.5000 $\\pm$ 1.2910 & 4 \\\\\n\\bottomrule\n\\end{tabular}\n",
                tex);

        String[] md = run(
                "sql",
                "--config",
                c,
                "--format",
                "markdown",
                "SELECT status, count(*) AS n FROM " + table + " GROUP BY status ORDER BY status");
        assertEquals("| status | n |\n| --- | ---: |\n| done | 8 |\n| error | 4 |\n", md[1]);

        String[] reset = run("reset", "--config", c, "--status", "error");
        assertTrue(reset[1].contains("4 rows reset to created"), reset[1]);
        assertEquals(
                "{\"created\": 4, \"running\": 0, \"done\": 8, \"error\": 0, \"paused\": 0}\n",
                run("status", "--config", c, "--json")[1]);

        String[] drop = run("drop", "--config", c, "--yes");
        assertTrue(drop[1].contains("dropped " + table), drop[1]);
    }

    /**
     * recover right after a driver's kill -9 finds its rows' leases not expired: it says they
     * are still running and when they come back, where it said only "0 lost rows returned".
     */
    @Test
    void recoverSaysWhichRowsItLeftRunningAndWhy() throws Exception {
        assertEquals("0", run("fill", "--config", conf.toString())[0]);
        org.experimenter.store.ExperimentStore store = TestDb.store(org.experimenter.Experimenter.load(conf));
        try (java.sql.Connection c = store.connect()) {
            store.claimNext(c, 2, null, new org.experimenter.store.Claim("killed-run", "e", "h", "t", "app"));
        }
        String[] r = run("recover", "--config", conf.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("0 lost rows returned to created, 0 marked error"), r[1]);
        assertTrue(
                r[1].contains("2 rows still running: alive, or lost less than their lease (20 s) ago; a lost one"
                        + " returns to created once its lease has expired"),
                r[1]);
    }

    @Test
    void errorsAreOneClearLineWithExitCodeOne() throws Exception {
        Files.writeString(
                conf, Files.readString(conf).replace("type = int, values = [12", "type = integer, values = [12"));
        String[] r = run("status", "--config", conf.toString());
        assertEquals("1", r[0]);
        assertTrue(r[2].startsWith("error: " + conf + ": 3: keyfields.x.type: unknown type 'integer'"), r[2]);
        assertFalse(r[2].contains("\tat "), "no stack trace without --verbose: " + r[2]);

        String[] unknownStatus =
                run("reset", "--config", dir.resolve("nope.conf").toString(), "--status", "error");
        assertEquals("1", unknownStatus[0]);
        assertTrue(unknownStatus[2].contains("nope.conf: no such config file"), unknownStatus[2]);
    }

    /** run-one of a Python function that raises: the line printed is the exception's, not "Traceback ...:". */
    @Test
    void runOneOfAFailingPythonFunctionPrintsTheExceptionsLine() throws Exception {
        Path py = dir.resolve("failing.py");
        Files.writeString(
                py,
                "def run_ml(parameters, result_processor, custom_config):\n"
                        + "    raise ValueError('bad x %d' % parameters['x'])\n");
        Path pyConf = dir.resolve("py.conf");
        Files.writeString(
                pyConf,
                Files.readString(conf)
                        .replace(
                                "experiment-class = \"" + Experiments.Logging.class.getName() + "\"",
                                "experiment { python { function = \"" + py + ":run_ml\" } }"));
        String[] r = run("run-one", "--config", pyConf.toString(), "--set", "x=13", "--set", "seed=1");
        assertEquals("1", r[0], r[2]);
        assertTrue(r[1].contains("  error: ValueError: bad x 13\n"), r[1]);
    }

    @Test
    void runOneFillFromAFileResetByIdsAndUnpauseFromTheCommandLine() throws Exception {
        String c = conf.toString();
        String[] one = run("run-one", "--config", c, "--set", "x=12", "--set", "seed=7", "--json");
        assertEquals("0", one[0], one[2]);
        assertTrue(one[1].startsWith("{\"id\": 1, \"x\": 12, \"seed\": 7, \"status\": \"done\""), one[1]);
        assertTrue(one[1].contains("\"score\": 127.0"), one[1]);
        String[] failing = run("run-one", "--config", c, "--set", "x=13", "--set", "seed=7");
        assertEquals("1", failing[0], "an experiment that ends in error gives exit code 1");
        assertTrue(failing[1].contains(": error") && failing[1].contains("unlucky x 13"), failing[1]);
        String[] unknown = run("run-one", "--config", c, "--set", "x=12", "--set", "sed=7");
        assertEquals("1", unknown[0]);
        assertTrue(unknown[2].contains("--set sed: no such keyfield"), unknown[2]);

        Path csv = dir.resolve("more.csv");
        Files.writeString(csv, "x,seed\n20,1\n21,1\n");
        String[] from = run("fill", "--config", c, "--from", csv.toString());
        assertTrue(from[1].contains(": 2 new rows (from " + csv), from[1]);

        String[] reset = run("reset", "--config", c, "--ids", "2");
        assertTrue(reset[1].contains("1 rows reset to created"), reset[1] + reset[2]);
        String[] missing = run("reset", "--config", c, "--ids", "2,99");
        assertEquals("1", missing[0]);
        assertTrue(missing[2].contains("has no experiment with id 99"), missing[2]);
        String[] badStatus = run("reset", "--config", c, "--status", "finished");
        assertEquals("1", badStatus[0]);
        assertTrue(badStatus[2].contains("unknown status 'finished'"), badStatus[2]);
        String[] two = run("reset", "--config", c, "--status", "error", "--ids", "1");
        assertTrue(two[2].contains("give exactly one of --status, --ids or --where"), two[2]);
        String[] unpause = run("unpause", "--config", c);
        assertTrue(unpause[1].contains("0 paused rows returned to created"), unpause[1]);
    }

    @Test
    void anSqlErrorIsReportedWithoutAStackTrace() throws Exception {
        run("fill", "--config", conf.toString());
        String[] r = run("sql", "--config", conf.toString(), "SELECT nope FROM " + table);
        assertEquals("1", r[0]);
        assertTrue(r[2].startsWith("error: SQL error: "), r[2]);
        assertTrue(r[2].contains("nope"), r[2]);
        assertFalse(r[2].contains("\tat "), r[2]);
    }

    /** A second config: models a and b, x 12..14 (13 fails), seeds 0 and 1; filled and run. */
    private String pivotConfig() throws Exception {
        Path p = dir.resolve("pivot.conf");
        Files.writeString(
                p,
                Files.readString(conf)
                        .replace("cli.db", "pivot.db")
                        .replace("  x { type = int", "  model { type = string, values = [a, b] }\n  x { type = int")
                        .replace("values = { start = 0, stop = 4 }", "values = [0, 1]"));
        assertEquals("0", run("fill", "--config", p.toString())[0]);
        String[] r = run("run", "--config", p.toString());
        assertEquals("0", r[0], r[2]);
        return p.toString();
    }

    @Test
    void evalPivotsPlotsAndExportsFromTheCommandLine() throws Exception {
        String c = pivotConfig();
        String[] pivot = run(
                "eval",
                "--config",
                c,
                "--rows",
                "x",
                "--columns",
                "model",
                "--value",
                "score",
                "--format",
                "markdown",
                "--precision",
                "2");
        assertEquals("0", pivot[0], pivot[2]);
        assertEquals(
                "| x | a | b |\n| ---: | ---: | ---: |\n| 12 | **120.50 ± 0.71** | **120.50 ± 0.71** |\n| 14 | **140.50 ± 0.71** | **140.50 ± 0.71** |\n",
                pivot[1],
                "the score does not depend on the model: both tie for best");
        assertTrue(pivot[2].contains("left out 4 rows not done (4 error)"), pivot[2]);

        String[] json = run("eval", "--config", c, "--over", "seed,model", "--stats", "mean,ci95", "--format", "json");
        assertEquals("0", json[0], json[2]);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "\\[\n  \\{\"x\": 12, \"score_mean\": 120\\.5, \"score_ci95\": ([0-9.]+)\\},\n"
                                + "  \\{\"x\": 14, \"score_mean\": 140\\.5, \"score_ci95\": ([0-9.]+)\\}\n\\]\n")
                .matcher(json[1]);
        assertTrue(m.matches(), json[1]);
        // scores 120, 121, 120, 121: t(0.975, 3) * std / sqrt(4) = 3.182446305284263 * 0.5773502691896257 / 2
        assertEquals(0.9186931155186995, Double.parseDouble(m.group(1)), 1e-12);
        assertEquals(0.9186931155186995, Double.parseDouble(m.group(2)), 1e-12);

        Path png = dir.resolve("score.png");
        String[] plot = run(
                "plot",
                "--config",
                c,
                "--x",
                "x",
                "--y",
                "score",
                "--output",
                png.toString(),
                "--width",
                "600",
                "--height",
                "300");
        assertEquals("0", plot[0], plot[2]);
        assertEquals("wrote " + png + "\n", plot[1]);
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(png.toFile());
        assertEquals(600, img.getWidth());
        assertEquals(300, img.getHeight());

        String[] export =
                run("export", "--config", c, "--output", dir.resolve("out").toString(), "--format", "csv");
        assertEquals("0", export[0], export[2]);
        assertEquals(
                "wrote " + dir.resolve("out").resolve(table + ".csv") + " (12 rows)\n" + "wrote "
                        + dir.resolve("out").resolve(table + "__attempts.csv") + " (12 rows)\n" + "wrote "
                        + dir.resolve("out").resolve(table + "__energy.csv") + " (12 rows)\n" + "wrote "
                        + dir.resolve("out").resolve(table + "__artifacts.csv") + " (0 rows)\n",
                export[1]);
    }

    @Test
    void badInputIsOneClearLineAndExitCodeOne() throws Exception {
        String c = pivotConfig();
        String[][] cases = {
            {"error: --over sed: no such keyfield; the keyfields are [model, x, seed]", "eval", "--over", "sed"},
            {
                "error: --rows k: no such keyfield; the keyfields are [model, x, seed]",
                "eval",
                "--rows",
                "k",
                "--columns",
                "model",
                "--value",
                "score"
            },
            {
                "error: --value nope: no such result field; the numeric result fields are [score]"
                        + ", and the energy fields [energy_kwh, emissions_kg, cpu_energy_kwh, ram_energy_kwh, gpu_energy_kwh]",
                "eval",
                "--rows",
                "x",
                "--columns",
                "model",
                "--value",
                "nope"
            },
            {"error: --rows, --columns and --value go together: a pivot needs all three", "eval", "--rows", "x"},
            {
                "error: --stats avg: unknown statistic; choose from mean, std, se, ci95, count, min, median, max, sum or all",
                "eval",
                "--stats",
                "mean,avg"
            },
            {
                "error: nothing to evaluate: table " + table + " has no rows matching --where \"x = 99\"",
                "eval",
                "--where",
                "x = 99"
            },
            {
                "error: nothing to evaluate: table " + table
                        + " has no done rows matching --where \"x = 13\" (4 error)",
                "eval",
                "--where",
                "x = 13"
            },
            {
                "error: unknown format 'xlsx'; expected console, csv, markdown, latex, json or parquet",
                "eval",
                "--format",
                "xlsx"
            },
            {
                "error: parquet is a binary format: give --output FILE to write it",
                "sql",
                "--format",
                "parquet",
                "SELECT 1"
            },
            {
                "error: --x model: keyfield of type string is not numeric; the x axis needs one of [x, seed]",
                "plot",
                "--x",
                "model",
                "--y",
                "score",
                "--output",
                "a.png"
            },
            {
                "error: --y nope: no such result field; the y axis needs one of [score]",
                "plot",
                "--x",
                "x",
                "--y",
                "nope",
                "--output",
                "a.png"
            },
            {
                "error: --output a.pdf: expected a file name ending in .png or .svg",
                "plot",
                "--x",
                "x",
                "--y",
                "score",
                "--output",
                "a.pdf"
            },
            {
                "error: --where \"nope = 1\": unknown column nope; the table's columns: id, ",
                "eval",
                "--where",
                "nope = 1"
            },
            {"error: SQL error: [PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'", "sql", "SELEC 1"},
            {
                "error: unknown export format 'xlsx'; expected parquet or csv",
                "export",
                "--output",
                "out",
                "--format",
                "xlsx"
            },
        };
        for (String[] k : cases) {
            String[] args = new String[k.length + 1];
            System.arraycopy(k, 1, args, 0, k.length - 1);
            args[k.length - 1] = "--config";
            args[k.length] = c;
            // options after the positional SQL query are fine for picocli
            String[] r = run(args);
            String what = String.join(" ", args);
            assertEquals("1", r[0], what + ": " + r[2]);
            assertTrue(r[2].startsWith(k[0]), what + " said: " + r[2]);
            assertEquals(1, r[2].strip().lines().count(), what + ": one line: " + r[2]);
            assertEquals("", r[1], what + " printed nothing on standard output");
        }
        String[] verbose = run("eval", "--config", c, "--over", "sed", "--verbose");
        assertEquals("1", verbose[0]);
        assertTrue(
                verbose[2].contains("--over sed: no such keyfield")
                        && verbose[2].contains("\tat org.experimenter.eval.Evaluation"),
                verbose[2]);
    }
}
