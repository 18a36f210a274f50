package org.experimenter.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.experimenter.Experimenter;
import org.experimenter.ExperimenterException;
import org.experimenter.RunSummary;
import org.experimenter.Status;
import org.experimenter.testing.TestDb;
import org.experimenter.testing.TestSpark;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;

/**
 * Evaluation, pivot, sql over log tables, export and plots over a table with known results, on
 * each database. score = base(model, x) + seed + 1 with base a/1 = 0, a/2 = 10, b/1 = 20, b/2 = 5;
 * the row b/2/seed 3 fails; n = 2 * seed; tag is a string.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EvaluationContractTest {
    Path dir;
    Experimenter ex;
    String table;
    String logTable;
    SparkSession spark = TestSpark.session();

    abstract TestDb db();

    @BeforeAll
    void fillAndRun(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        table = TestDb.uniqueTable("eval");
        logTable = table + "__events";
        ex = Experimenter.of(db().config(
                        dir,
                        table,
                        String.join(
                                "\n",
                                "keyfields {",
                                "  model { type = string, values = [a, b] }",
                                "  x { type = int, values = [1, 2] }",
                                "  seed { type = int, values = { start = 0, stop = 4 } }",
                                "}",
                                "resultfields { score = double, n = int, tag = string }",
                                "logtables { events { message = string } }",
                                "")));
        assertEquals(16, ex.fill());
        RunSummary s = ex.run(spark, ctx -> {
            String model = ctx.parameters().getString("model");
            int x = ctx.parameters().getInt("x");
            int seed = ctx.parameters().getInt("seed");
            if (model.equals("b") && x == 2 && seed == 3) {
                throw new IllegalStateException("b/2 fails for seed 3 \"on purpose\"");
            }
            int base = model.equals("a") ? (x == 1 ? 0 : 10) : (x == 1 ? 20 : 5);
            ctx.results().put("score", base + seed + 1.0).put("n", 2 * seed).put("tag", model + x);
        });
        assertEquals(15, s.count(Status.DONE));
        try (Connection c = TestDb.store(ex).connect();
                Statement st = c.createStatement()) {
            st.execute("INSERT INTO " + logTable + " (id, experiment_id, timestamp, message) VALUES"
                    + " (1, 1, '2026-01-01 00:00:00.000', 'started'), (2, 1, '2026-01-01 00:00:01.000', 'stopped')");
            // a table another user of the database made, named like a log table: never read
            st.execute("CREATE TABLE " + trapTable() + " (id INTEGER)");
        }
    }

    @AfterAll
    void dropTables() throws Exception {
        try (Connection c = TestDb.store(ex).connect();
                Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + trapTable());
        }
        ex.drop();
    }

    /** A table name made to break a statement that would paste it in unquoted; quoted here. */
    private String trapTable() {
        return TestDb.store(ex).dialect().quoteIdentifier(table + "__x;UPDATE " + table + " SET score=-1;--");
    }

    private static int row(ResultTable t, String model, int x) {
        for (int r = 0; r < t.size(); r++) {
            if (model.equals(t.get(r, "model")) && ((Number) t.get(r, "x")).intValue() == x) {
                return r;
            }
        }
        throw new AssertionError("no row " + model + "/" + x + " in " + t.rows());
    }

    private static double num(ResultTable t, int row, String column) {
        return ((Number) t.get(row, column)).doubleValue();
    }

    @Test
    void everyStatisticMatchesHandComputedValues() {
        ResultTable t = ex.evaluation(spark)
                .stats(Stat.parse(List.of("all")))
                .fields(List.of("score"))
                .collect();
        assertEquals(
                List.of(
                        "model",
                        "x",
                        "score_mean",
                        "score_std",
                        "score_se",
                        "score_ci95",
                        "score_count",
                        "score_min",
                        "score_median",
                        "score_max",
                        "score_sum"),
                t.columns());
        assertEquals(4, t.size());
        int a1 = row(t, "a", 1); // 1, 2, 3, 4
        assertEquals(2.5, num(t, a1, "score_mean"), 1e-12);
        assertEquals(1.2909944487358056, num(t, a1, "score_std"), 1e-12);
        assertEquals(0.6454972243679028, num(t, a1, "score_se"), 1e-12);
        assertEquals(2.054260256760879, num(t, a1, "score_ci95"), 1e-12); // t(0.975, 3) = 3.182446305284263
        assertEquals(4L, ((Number) t.get(a1, "score_count")).longValue());
        assertEquals(1.0, num(t, a1, "score_min"));
        assertEquals(2.5, num(t, a1, "score_median"), 1e-12);
        assertEquals(4.0, num(t, a1, "score_max"));
        assertEquals(10.0, num(t, a1, "score_sum"), 1e-12);
        int b2 = row(t, "b", 2); // 6, 7, 8: seed 3 failed
        assertEquals(7.0, num(t, b2, "score_mean"), 1e-12);
        assertEquals(1.0, num(t, b2, "score_std"), 1e-12);
        assertEquals(0.5773502691896258, num(t, b2, "score_se"), 1e-12);
        assertEquals(2.484137711750331, num(t, b2, "score_ci95"), 1e-12); // t(0.975, 2) = 4.302652729749464
        assertEquals(3L, ((Number) t.get(b2, "score_count")).longValue());
        assertEquals(7.0, num(t, b2, "score_median"), 1e-12);
    }

    @Test
    void aSmallTableIsAggregatedWithInterpretedExpressionsAndTheSessionKeepsItsSettings() {
        String wholeStage = spark.conf().get(Interpreted.WHOLE_STAGE, null);
        String factoryMode = spark.conf().get(Interpreted.FACTORY_MODE, null);
        // code generation on, as in a user's session (the test JVMs run interpreted: pom.xml's test.spark.sql)
        spark.conf().set(Interpreted.WHOLE_STAGE, "true");
        spark.conf().unset(Interpreted.FACTORY_MODE);
        try {
            aSmallTableIsAggregatedInterpreted();
        } finally {
            restore(Interpreted.WHOLE_STAGE, wholeStage);
            restore(Interpreted.FACTORY_MODE, factoryMode);
        }
    }

    private void restore(String key, String value) {
        if (value == null) {
            spark.conf().unset(key);
        } else {
            spark.conf().set(key, value);
        }
    }

    private void aSmallTableIsAggregatedInterpreted() {
        long compiled = org.apache.spark.metrics.source.CodegenMetrics.METRIC_COMPILATION_TIME()
                .getCount();
        // a combination no other test asks for, so that no compiled class of it is cached
        ResultTable t = ex.evaluation(spark)
                .over(List.of("x", "seed"))
                .stats(Stat.parse(List.of("median", "sum", "min")))
                .fields(List.of("n"))
                .collect();
        // Spark compiles the sort's row ordering whatever the settings (two classes in a JVM that has not
        // compiled them yet); with code generation, this eval compiled 18
        long now = org.apache.spark.metrics.source.CodegenMetrics.METRIC_COMPILATION_TIME()
                .getCount();
        assertTrue(now - compiled <= 2, (now - compiled) + " classes compiled for a table of " + ex.status());
        assertEquals(List.of("model", "n_median", "n_sum", "n_min"), t.columns());
        assertEquals("true", spark.conf().get(Interpreted.WHOLE_STAGE));
        assertNull(spark.conf().get(Interpreted.FACTORY_MODE, null));
    }

    @Test
    void byDefaultDoneRowsAreGroupedOverSeedWithMeanStdAndCountOfEachNumericField() {
        Evaluation e = ex.evaluation(spark);
        ResultTable t = e.collect();
        assertEquals(
                List.of("model", "x", "score_mean", "score_std", "score_count", "n_mean", "n_std", "n_count"),
                t.columns());
        assertEquals(
                List.of("a", "a", "b", "b"),
                List.of(t.get(0, "model"), t.get(1, "model"), t.get(2, "model"), t.get(3, "model")));
        int a1 = row(t, "a", 1);
        assertEquals(3.0, num(t, a1, "n_mean"), 1e-12); // 0, 2, 4, 6
        assertEquals(Map.of("error", 1L), e.leftOut());
        assertTrue(
                TableFormat.MARKDOWN.render(t).startsWith("| model | x | score | score_count | n | n_count |\n"),
                "mean ± std shown as one column");
    }

    @Test
    void overAndWhereChooseTheGroupsAndTheRows() {
        ResultTable t = ex.evaluation(spark)
                .over(List.of("x", "seed"))
                .fields(List.of("score"))
                .collect();
        assertEquals(List.of("model", "score_mean", "score_std", "score_count"), t.columns());
        assertEquals(7.5, num(t, 0, "score_mean"), 1e-12); // 1..4, 11..14
        assertEquals(5.477225575051661, num(t, 0, "score_std"), 1e-12);

        Evaluation w = ex.evaluation(spark).where("x = 1 AND seed < 2").fields(List.of("score"));
        ResultTable f = w.collect();
        assertEquals(2, f.size());
        assertEquals(1.5, num(f, row(f, "a", 1), "score_mean"), 1e-12);
        assertEquals(Map.of(), w.leftOut());
    }

    @Test
    void aPivotPutsKeyfieldsOnRowsAndColumnsAndMarksTheBest() {
        ResultTable p = ex.evaluation(spark).pivot(List.of("x"), List.of("model"), "score", false);
        assertEquals(List.of("x", "a", "a_std", "b", "b_std", "best"), p.columns());
        assertEquals(2.5, num(p, 0, "a"), 1e-12);
        assertEquals(22.5, num(p, 0, "b"), 1e-12);
        assertEquals("b", p.get(0, "best"));
        assertEquals("a", p.get(1, "best"));
        assertEquals(
                "| x | a | b |\n| ---: | ---: | ---: |\n| 1 | 2.50 ± 1.29 | **22.50 ± 1.29** |\n| 2 | **12.50 ± 1.29** | 7.00 ± 1.00 |\n",
                TableFormat.MARKDOWN.render(p, 2));

        ResultTable low = ex.evaluation(spark)
                .stats(List.of(Stat.MEDIAN, Stat.CI95))
                .pivot(List.of("x"), List.of("model"), "score", true);
        assertEquals(List.of("x", "a", "a_ci95", "b", "b_ci95", "best"), low.columns());
        assertEquals("a", low.get(0, "best"));
        assertEquals("b", low.get(1, "best"));
        assertEquals(2.484137711750331, num(low, 1, "b_ci95"), 1e-12);
    }

    @Test
    void aPivotNeedsEveryVaryingKeyfieldPlaced() {
        ExperimenterException e = assertThrows(
                ExperimenterException.class,
                () -> ex.evaluation(spark).over(List.of()).pivot(List.of("x"), List.of("model"), "score", false));
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "keyfield seed has 4 values among the done rows (0, 1, 2, 3) but is in neither --rows nor --columns"),
                e.getMessage());
    }

    @Test
    void unknownOrUnfitNamesAreRefusedWithTheNamesThatExist() {
        assertEquals(
                "--over sed: no such keyfield; the keyfields are [model, x, seed]",
                assertThrows(
                                ExperimenterException.class,
                                () -> ex.evaluation(spark).over(List.of("sed")).collect())
                        .getMessage());
        assertEquals(
                "--fields tag: result field of type string is not numeric; the numeric result fields are [score, n]",
                assertThrows(
                                ExperimenterException.class,
                                () -> ex.evaluation(spark)
                                        .fields(List.of("tag"))
                                        .collect())
                        .getMessage());
        assertEquals(
                "--eval tag: result field of type string is not numeric; the numeric result fields are [score, n]",
                assertThrows(
                                ExperimenterException.class,
                                () -> ex.evaluation(spark)
                                        .fields(List.of("tag"), "--eval")
                                        .collect())
                        .getMessage(),
                "the option a command names the fields with");
        assertEquals(
                "--value x: no such result field (x is a keyfield); the numeric result fields are [score, n]"
                        + ", and the energy fields [energy_kwh, emissions_kg, cpu_energy_kwh, ram_energy_kwh, gpu_energy_kwh]",
                assertThrows(
                                ExperimenterException.class,
                                () -> ex.evaluation(spark).pivot(List.of("model"), List.of("x"), "x", false))
                        .getMessage());
        assertEquals(
                "--rows seed: the evaluation aggregates over seed (--over seed)",
                assertThrows(
                                ExperimenterException.class,
                                () -> ex.evaluation(spark).pivot(List.of("seed"), List.of("model"), "score", false))
                        .getMessage());
        assertEquals(
                "--columns mdl: no such keyfield; the keyfields are [model, x, seed]",
                assertThrows(
                                ExperimenterException.class,
                                () -> ex.evaluation(spark).pivot(List.of("x"), List.of("mdl"), "score", false))
                        .getMessage());
        assertTrue(assertThrows(
                        ExperimenterException.class,
                        () -> ex.evaluation(spark)
                                .stats(List.of(Stat.STD))
                                .pivot(List.of("x"), List.of("model"), "score", false))
                .getMessage()
                .startsWith("--stats std: in a pivot give a value (mean, median, min, max or count)"));
        assertEquals(
                "--stats avg: unknown statistic; choose from mean, std, se, ci95, count, min, median, max, sum or all",
                assertThrows(ExperimenterException.class, () -> Stat.parse(List.of("mean", "avg")))
                        .getMessage());
    }

    @Test
    void anEmptyResultOrABadConditionIsAClearError() {
        ExperimenterException empty = assertThrows(
                ExperimenterException.class,
                () -> ex.evaluation(spark).where("x = 1 AND model = 'c'").collect());
        assertEquals(
                "nothing to evaluate: table " + table + " has no rows matching --where \"x = 1 AND model = 'c'\"",
                empty.getMessage());
        ExperimenterException onlyErrors = assertThrows(
                ExperimenterException.class,
                () -> ex.evaluation(spark)
                        .where("model = 'b' AND x = 2 AND seed = 3")
                        .collect());
        assertEquals(
                "nothing to evaluate: table " + table
                        + " has no done rows matching --where \"model = 'b' AND x = 2 AND seed = 3\" (1 error)",
                onlyErrors.getMessage());
        ExperimenterException bad = assertThrows(
                ExperimenterException.class,
                () -> ex.evaluation(spark).where("nope > 1").collect());
        // the same message as run and reset give: the rule knows the table's columns before Spark starts
        assertTrue(
                bad.getMessage().startsWith("--where \"nope > 1\": unknown column nope; the table's columns: id, "),
                bad.getMessage());
        assertTrue(!bad.getMessage().contains("\n"), "one line: " + bad.getMessage());
    }

    @Test
    void sparkJobsNameTheTableAndThePhase() throws Exception {
        List<String> descriptions = Collections.synchronizedList(new ArrayList<>());
        SparkListener listener = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart job) {
                descriptions.add(String.valueOf(job.properties().getProperty("spark.job.description")));
            }
        };
        spark.sparkContext().addSparkListener(listener);
        try {
            ex.evaluation(spark).collect();
            for (int i = 0; i < 100 && !descriptions.contains("experimenter eval: table " + table); i++) {
                Thread.sleep(100); // listener events arrive asynchronously
            }
        } finally {
            spark.sparkContext().removeSparkListener(listener);
        }
        assertTrue(descriptions.contains("experimenter eval: table " + table), descriptions.toString());
    }

    @Test
    void sqlSeesTheLogTablesAsViews() {
        List<Row> r = ex.sql(spark, "SELECT message FROM " + logTable + " ORDER BY id")
                .collectAsList();
        assertEquals(
                List.of("started", "stopped"),
                List.of(r.get(0).getString(0), r.get(1).getString(0)));
        assertEquals(
                List.of(table + "__attempts", logTable), org.experimenter.spark.SparkTables.logTables(ex.config()));
    }

    @Test
    void theDatabaseCountsTheRowsLeftOutAsASparkJobDoes() {
        List<String> conditions = new java.util.ArrayList<>(List.of(
                "x = 1 AND seed < 2", "model = 'b'", "seed >= 3 OR x = 2", "tag IS NULL", "score > 12.5", "x IN (7)"));
        conditions.add(null);
        for (String w : conditions) {
            Evaluation byDatabase = ex.evaluation(spark).where(w);
            Evaluation bySpark = new Evaluation(spark, ex.config()).where(w);
            assertEquals(bySpark.leftOut(), byDatabase.leftOut(), "left out, --where " + w);
            assertEquals(bySpark.withoutValue(), byDatabase.withoutValue(), "without value, --where " + w);
        }
        assertEquals(
                Map.of("error", 1L),
                ex.evaluation(spark).where("seed >= 3 OR x = 2").leftOut());
        ExperimenterException e = assertThrows(
                ExperimenterException.class,
                () -> ex.evaluation(spark).where("nope > 1").leftOut());
        assertTrue(e.getMessage().contains("unknown column nope"), e.getMessage());
    }

    @Test
    void aNaNResultIsLeftOutOfItsStatisticsAndCountedTheSameOnEveryDatabase() {
        Experimenter nan = Experimenter.of(db().config(
                        dir,
                        TestDb.uniqueTable("nan"),
                        "keyfields { seed { type = int, values = [1, 2, 3] } }\nresultfields { score = double }\n"));
        try {
            nan.fill();
            nan.run(
                    spark,
                    ctx -> ctx.results()
                            .put(
                                    "score",
                                    ctx.parameters().getInt("seed") == 2
                                            ? Double.NaN
                                            : 1.0 * ctx.parameters().getInt("seed")));
            Evaluation e = nan.evaluation(spark).stats(List.of(Stat.MEAN, Stat.COUNT));
            ResultTable t = e.collect();
            assertEquals(2.0, ((Number) t.rows().get(0).get(t.columns().indexOf("score_mean"))).doubleValue(), 1e-12);
            assertEquals(2L, ((Number) t.rows().get(0).get(t.columns().indexOf("score_count"))).longValue());
            assertEquals(Map.of("score", 1L), e.withoutValue());
        } finally {
            nan.drop();
        }
    }

    @Test
    void timestampsReadTheSameInstantsWhateverTheSessionTimeZone() {
        Map<String, Object> row = TestDb.store(ex).row(1L);
        String zone = spark.conf().get("spark.sql.session.timeZone");
        try {
            spark.conf().set("spark.sql.session.timeZone", "America/New_York");
            Row r = ex.table(spark)
                    .where("id = 1")
                    .select("start_date", "end_date")
                    .first();
            assertEquals(row.get("start_date"), r.getTimestamp(0).toInstant());
            assertEquals(row.get("end_date"), r.getTimestamp(1).toInstant());
        } finally {
            spark.conf().set("spark.sql.session.timeZone", zone);
        }
    }

    @Test
    void onlyTheDeclaredLogTablesAndTheAttemptsBecomeViewsNotTablesNamedLikeThem() {
        ex.sql(spark, "SELECT count(*) FROM " + table).collectAsList();
        assertEquals(
                0,
                ex.sql(spark, "SELECT count(*) FROM " + table + " WHERE score = -1")
                        .first()
                        .getLong(0));
        assertFalse(
                List.of(spark.sqlContext().tableNames()).contains(table + "__x;update " + table + " set score=-1;--"));
        assertFalse(
                List.of(spark.sqlContext().tableNames()).contains(table + "__x;UPDATE " + table + " SET score=-1;--"));
    }

    @Test
    void exportWritesOneParquetFilePerTableThatSparkReadsBack() {
        List<Exporter.Written> files = ex.export(spark, dir.resolve("out"), Exporter.Format.PARQUET, null);
        assertEquals(
                List.of(table, table + "__attempts", logTable),
                List.of(files.get(0).table(), files.get(1).table(), files.get(2).table()));
        Path main = dir.resolve("out").resolve(table + ".parquet");
        assertTrue(Files.isRegularFile(main), "a single file, not Spark's folder of parts");
        assertEquals(16, files.get(0).rows());
        Dataset<Row> back = spark.read().parquet(main.toString());
        assertEquals(TestDb.store(ex).expectedColumns(), List.of(back.columns()));
        assertEquals(15, back.where("status = 'done'").count());
        Row a1 = back.where("model = 'a' AND x = 1 AND seed = 3").first();
        assertEquals(4.0, a1.getDouble(a1.fieldIndex("score")));
        assertEquals("timestamp", back.schema().apply("start_date").dataType().typeName());
        assertEquals(
                2,
                spark.read()
                        .parquet(dir.resolve("out")
                                .resolve(logTable + ".parquet")
                                .toString())
                        .count());
    }

    private long count(String sql) throws Exception {
        try (Connection c = TestDb.store(ex).connect();
                Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void exportToCsvWritesTheRowsOfTheConditionWithTheirEnergyAndArtifactsRowsAndMultiLineErrorsInOneRecord()
            throws Exception {
        String energy = table + "__energy";
        String artifacts = table + "__artifacts";
        long one = count("SELECT min(id) FROM " + table + " WHERE x = 1");
        long two = count("SELECT min(id) FROM " + table + " WHERE x = 2");
        try (Connection c = TestDb.store(ex).connect();
                Statement st = c.createStatement()) {
            st.execute("INSERT INTO " + artifacts + " (id, attempt, path, bytes, sha256) VALUES (" + one
                    + ", 1, 'model.bin', 3, '" + "a".repeat(64) + "'), (" + two + ", 1, 'plot.png', 5, '"
                    + "b".repeat(64) + "')");
        }
        try {
            // one export (a Spark job per table): the rows of x = 2, as CSV
            long energyRows = count("SELECT count(*) FROM " + energy);
            assertTrue(energyRows >= 16, "an energy row per finished attempt: " + energyRows);
            List<Exporter.Written> narrowed = ex.export(spark, dir.resolve("keyed-x2"), Exporter.Format.CSV, "x = 2");
            assertEquals(
                    List.of(table, table + "__attempts", logTable, energy, artifacts),
                    narrowed.stream().map(Exporter.Written::table).toList());
            assertEquals(
                    count("SELECT count(*) FROM " + energy + " WHERE id IN (SELECT id FROM " + table + " WHERE x = 2)"),
                    narrowed.get(3).rows());
            assertEquals(1, narrowed.get(4).rows());
            String energyCsv = Files.readString(dir.resolve("keyed-x2").resolve(energy + ".csv"));
            assertEquals(
                    String.join(",", TestDb.store(ex).columnsOf(energy)),
                    energyCsv.substring(0, energyCsv.indexOf('\n')));
            String artifactsCsv = Files.readString(dir.resolve("keyed-x2").resolve(artifacts + ".csv"));
            assertTrue(
                    artifactsCsv.startsWith("id,attempt,path,bytes,sha256\n" + two + ",1,plot.png,5,"), artifactsCsv);

            // the rows themselves, a multi-line error in one record
            assertEquals(8, narrowed.get(0).rows());
            Path csv = dir.resolve("keyed-x2").resolve(table + ".csv");
            assertTrue(Files.readString(csv)
                    .startsWith(String.join(",", TestDb.store(ex).expectedColumns()) + "\n"));
            Dataset<Row> back = spark.read()
                    .option("header", "true")
                    .option("multiLine", "true")
                    .option("escape", "\"")
                    .csv(csv.toString());
            assertEquals(8, back.count());
            String error = back.where("status = 'error'").first().getAs("error");
            assertTrue(
                    error.startsWith("java.lang.IllegalStateException: b/2 fails for seed 3 \"on purpose\"\n\tat "),
                    error);
            assertNull(back.where("status = 'done'").first().getAs("error"));
        } finally {
            try (Connection c = TestDb.store(ex).connect();
                    Statement st = c.createStatement()) {
                st.execute("DELETE FROM " + artifacts);
            }
        }
    }

    @Test
    void evaluationWritesParquetThatSparkReadsBack() {
        Path out = dir.resolve("eval.parquet");
        ResultTable t = ex.evaluation(spark).fields(List.of("score")).collect();
        assertEquals(out, TableWriter.write(spark, t, TableFormat.PARQUET, 4, out, System.out));
        List<Row> back =
                spark.read().parquet(out.toString()).orderBy("model", "x").collectAsList();
        assertEquals(4, back.size());
        assertEquals("a", back.get(0).getString(0));
        assertEquals(2.5, back.get(0).getDouble(2), 1e-12);
        assertEquals(1.2909944487358056, back.get(0).getDouble(3), 1e-12);
    }

    @Test
    void aPlotIsAPngOfTheRequestedSizeWithOneColouredLinePerGroup() throws Exception {
        Path png = dir.resolve("plots").resolve("score.png");
        ex.plotter(spark).x("x").y("score").size(640, 400).write(png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(640, img.getWidth());
        assertEquals(400, img.getHeight());
        assertTrue(countPixels(img, 0x1f77b4) > 50, "the first line (model=a) is drawn in blue");
        assertTrue(countPixels(img, 0xff7f0e) > 50, "the second line (model=b) is drawn in orange");
        assertEquals(0, countPixels(img, 0x2ca02c), "no third line");
    }

    @Test
    void aPlotIsAnSvgOfTheRequestedSizeWithAxisLabelsAndLegend() throws Exception {
        Path svg = dir.resolve("score.svg");
        ex.plotter(spark).x("x").y("score").band(Stat.CI95).size(500, 300).write(svg);
        DocumentBuilderFactory xml = DocumentBuilderFactory.newInstance();
        xml.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Element root = xml.newDocumentBuilder().parse(svg.toFile()).getDocumentElement();
        assertEquals("svg", root.getTagName());
        assertEquals(500.0, Double.parseDouble(root.getAttribute("width")));
        assertEquals(300.0, Double.parseDouble(root.getAttribute("height")));
        assertEquals(List.of(0.0, 0.0, 500.0, 300.0), parseNumbers(root.getAttribute("viewBox")));
        String text = Files.readString(svg);
        for (String s : List.of(">score by x<", ">x<", ">model=a<", ">model=b<", "95% confidence interval")) {
            assertTrue(text.contains(s), "the SVG shows " + s);
        }
    }

    @Test
    void aPlotRefusesFieldsThatAreNotNumericOrUnknown() {
        assertEquals(
                "--x model: keyfield of type string is not numeric; the x axis needs one of [x, seed]",
                assertThrows(
                                ExperimenterException.class,
                                () -> ex.plotter(spark).x("model").y("score").write(dir.resolve("a.png")))
                        .getMessage());
        assertEquals(
                "--y tag: result field of type string is not numeric; the y axis needs one of [score, n]",
                assertThrows(
                                ExperimenterException.class,
                                () -> ex.plotter(spark).x("x").y("tag").write(dir.resolve("a.png")))
                        .getMessage());
        assertEquals(
                "--x seed: the plot averages over seed (--over seed); choose another --over",
                assertThrows(
                                ExperimenterException.class,
                                () -> ex.plotter(spark).x("seed").y("score").write(dir.resolve("a.png")))
                        .getMessage());
        assertEquals(
                "--output " + dir.resolve("a.jpg") + ": expected a file name ending in .png or .svg",
                assertThrows(
                                ExperimenterException.class,
                                () -> ex.plotter(spark).x("x").y("score").write(dir.resolve("a.jpg")))
                        .getMessage());
    }

    private static List<Double> parseNumbers(String s) {
        List<Double> out = new ArrayList<>();
        for (String p : s.trim().split("[\\s,]+")) {
            out.add(Double.parseDouble(p));
        }
        return out;
    }

    private static int countPixels(BufferedImage img, int rgb) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xffffff) == rgb) {
                    n++;
                }
            }
        }
        return n;
    }
}
