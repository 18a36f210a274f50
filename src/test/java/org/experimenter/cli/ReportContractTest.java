package org.experimenter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.experimenter.Experimenter;
import org.experimenter.ExperimenterException;
import org.experimenter.FieldType;
import org.experimenter.RunOptions;
import org.experimenter.Status;
import org.experimenter.eval.Report;
import org.experimenter.eval.ResultTable;
import org.experimenter.example.KnnExperiment;
import org.experimenter.store.ExperimentStore;
import org.experimenter.store.dialect.Dialect;
import org.experimenter.testing.TestDb;
import org.experimenter.testing.TestSpark;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code report} on the bundled example (conf/example.conf, its k-NN experiment, 80 rows) on each
 * database, every number checked against its own SQL aggregate run on the database through JDBC.
 * Given: the 80 rows run, then rings/k=15 (5 rows) run again with an experiment that throws (5
 * error rows, 5 exception attempts) and 2 of those run again with k-NN (done, a third attempt);
 * then, as the stages, provenance and energy parts of the tool would leave them, columns stage and
 * parent_id (seeds 3 and 4 in stage 2, promoted), code_version / code_dirty / runtime_version on
 * the attempts, and an energy table with one row per done row. Here what each database reads
 * differently: every section of one report, and a condition (the database's --where); the parts
 * that only run Spark SQL over what was read (the lowest best, a stage, the command's output) run
 * on SQLite alone, in {@link SqliteReportTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ReportContractTest {
    Path dir;
    Path conf;
    Experimenter ex;
    String table;
    SparkSession spark = TestSpark.session();

    abstract TestDb db();

    @BeforeAll
    void runTheExample(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        table = TestDb.uniqueTable("report");
        conf = dir.resolve("example.conf");
        StringBuilder c = new StringBuilder(Files.readString(Path.of("conf/example.conf")));
        c.append("\nspark { master = \"local[2]\", conf { \"spark.ui.enabled\" = false } }\n");
        for (Map.Entry<String, Object> e : db().database(dir, table).entrySet()) {
            c.append(e.getKey()).append(" = \"").append(e.getValue()).append("\"\n");
        }
        Files.writeString(conf, c.toString());
        ex = Experimenter.load(conf);
        assertEquals(80, ex.fill());
        assertEquals(80, ex.run(spark).count(Status.DONE));
        assertEquals(5, ex.resetWhere("dataset = 'rings' AND k = 15"));
        ex.run(
                spark,
                ctx -> {
                    throw new IllegalStateException("fails on purpose");
                },
                RunOptions.all());
        assertEquals(2, ex.resetWhere("dataset = 'rings' AND k = 15 AND seed < 2"));
        assertEquals(2, ex.run(spark, new KnnExperiment(), RunOptions.all()).count(Status.DONE));

        ExperimentStore store = TestDb.store(ex);
        Dialect d = store.dialect();
        String text = d.textType();
        String dbl = d.sqlType(FieldType.DOUBLE);
        try (Connection conn = store.connect();
                Statement st = conn.createStatement()) {
            // the stages part of the tool adds these to every table; added here where it has not
            if (!store.columnsOf(table).contains("stage")) {
                st.execute("ALTER TABLE " + table + " ADD COLUMN stage INTEGER");
                st.execute("ALTER TABLE " + table + " ADD COLUMN parent_id BIGINT");
            }
            st.execute("UPDATE " + table + " SET stage = CASE WHEN seed >= 3 THEN 2 ELSE 1 END");
            st.execute("UPDATE " + table + " SET parent_id = 1 WHERE seed >= 3 AND k <= 5");
            String a = table + "__attempts";
            // the energy part of the tool adds these and the energy table; replaced here by known values
            if (!store.columnsOf(a).contains("code_version")) {
                st.execute("ALTER TABLE " + a + " ADD COLUMN code_version " + text);
                st.execute("ALTER TABLE " + a + " ADD COLUMN code_dirty INTEGER"); // 0 or 1, as the tool writes it
                st.execute("ALTER TABLE " + a + " ADD COLUMN runtime_version " + text);
            }
            // what the attempts were given, as RowSequence.describe writes it; none recorded counts 0 GPUs
            st.execute("UPDATE " + a + " SET resources = 'gpus=2 cpus=1 gpu-addresses=0,1' WHERE experiment_id <= 10");
            st.execute("UPDATE " + a + " SET resources = 'gpus=1 cpus=2 memory=8g gpu-addresses=3' WHERE"
                    + " experiment_id > 10 AND experiment_id <= 20");
            st.execute("UPDATE " + a + " SET resources = NULL WHERE experiment_id > 70");
            st.execute("DROP TABLE IF EXISTS " + table + "__energy");
            st.execute("UPDATE " + a + " SET code_version = CASE WHEN experiment_id <= 40 THEN 'abc123' ELSE"
                    + " 'def456' END, code_dirty = 0"
                    + ", runtime_version = 'Java 17'");
            st.execute("UPDATE " + a + " SET code_dirty = 1 WHERE experiment_id = (SELECT MAX(id) FROM " + table
                    + " WHERE status = 'done')");
            // the 2 rows run again after the reset keep the done attempt of their first run: of an older
            // version here, which a done row no longer has (only its last done attempt counts)
            List<Long> earlier = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT x.id FROM " + a + " x WHERE x.outcome = 'done' AND EXISTS"
                    + " (SELECT 1 FROM " + a + " y WHERE y.experiment_id = x.experiment_id AND y.outcome = 'done'"
                    + " AND y.id > x.id)")) {
                while (rs.next()) {
                    earlier.add(rs.getLong(1));
                }
            }
            assertEquals(2, earlier.size(), earlier.toString());
            for (long id : earlier) {
                st.execute("UPDATE " + a + " SET code_version = 'old999' WHERE id = " + id);
            }
            st.execute("CREATE TABLE " + table + "__energy (id BIGINT, attempt INTEGER, energy_kwh " + dbl
                    + ", emissions_kg " + dbl + ", gpu_energy_kwh " + dbl + ", cpu_model " + text + ", gpu_model "
                    + text + ")");
            st.execute("INSERT INTO " + table + "__energy SELECT id, attempt, id / 1000.0, id / 4000.0, id / 8000.0,"
                    + " CASE WHEN id <= 60 THEN 'Xeon' ELSE 'EPYC' END, NULL FROM " + table + " WHERE status = 'done'");
        }
    }

    @AfterAll
    void dropTables() throws Exception {
        try (Connection c = TestDb.store(ex).connect();
                Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + table + "__energy");
        }
        ex.drop();
    }

    Report report() {
        // TestSpark.session(): a command of other settings (theCommandPrintsMarkdownAndLatex) stops the session it
        // found
        return new Report(TestSpark.session(), ex.config());
    }

    private Report.Appendix plain;

    /**
     * The report by dataset of accuracy, collected once for the tests that read it (only its best
     * configurations depend on --by and --value; the stage and condition reports use the defaults).
     */
    private Report.Appendix plain() {
        if (plain == null) {
            plain = report().by(List.of("dataset")).value("accuracy").collect();
        }
        return plain;
    }

    long count(String sql) throws Exception {
        return ((Number) one(sql)).longValue();
    }

    Object one(String sql) throws Exception {
        try (Connection c = TestDb.store(ex).connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getObject(1);
        }
    }

    Map<String, Long> counts(String sql) throws Exception {
        Map<String, Long> out = new LinkedHashMap<>();
        try (Connection c = TestDb.store(ex).connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }

    private List<Report.Count> countList(String sql) throws Exception {
        List<Report.Count> out = new ArrayList<>();
        counts(sql).forEach((k, v) -> out.add(new Report.Count(k, v)));
        return out;
    }

    @Test
    void runsAreTheirSqlAggregates() throws Exception {
        Report.Runs r = plain().runs();
        String a = table + "__attempts";
        assertEquals(count("SELECT count(*) FROM " + table), r.rows());
        assertEquals(80, r.rows());
        assertEquals(
                count("SELECT count(*) FROM (SELECT DISTINCT dataset, k FROM " + table + ") c"), r.configurations());
        assertEquals(16, r.configurations());
        assertEquals(count("SELECT count(DISTINCT seed) FROM " + table), r.seeds());
        assertEquals(5, r.seeds());
        assertEquals(
                counts("SELECT status, count(*) FROM " + table + " GROUP BY status ORDER BY status"), r.rowsByStatus());
        assertEquals(Map.of("done", 77L, "error", 3L), r.rowsByStatus());
        assertEquals(
                counts("SELECT outcome, count(*) FROM " + a + " GROUP BY outcome ORDER BY outcome"),
                r.attemptsByOutcome());
        assertEquals(count("SELECT count(*) FROM " + a + " WHERE outcome <> 'released'"), r.attempts());
        assertEquals(87, r.attempts());
        assertEquals(
                count("SELECT count(*) FROM " + a + " WHERE outcome IN ('exception', 'timeout', 'lost')"),
                r.failedAttempts());
        assertEquals(5, r.failedAttempts());
        assertEquals(
                count("SELECT count(*) FROM (SELECT experiment_id FROM " + a + " WHERE outcome <> 'released'"
                        + " GROUP BY experiment_id HAVING count(*) > 1) r"),
                r.retriedRows());
        assertEquals(5, r.retriedRows());
    }

    @Test
    void theSearchSpaceOfEveryKeyfieldIsItsDistinctValues() throws Exception {
        List<Report.Space> space = plain().space();
        assertEquals(
                List.of("dataset", "k", "seed"),
                space.stream().map(Report.Space::keyfield).toList());
        for (Report.Space s : space) {
            String k = s.keyfield();
            assertEquals(count("SELECT count(DISTINCT " + k + ") FROM " + table), s.distinct(), k);
            assertEquals(String.valueOf(one("SELECT min(" + k + ") FROM " + table)), String.valueOf(s.min()), k);
            assertEquals(String.valueOf(one("SELECT max(" + k + ") FROM " + table)), String.valueOf(s.max()), k);
        }
        assertEquals("[1, 3, 5, 7, 9, 11, 13, 15]", space.get(1).values().toString());
    }

    @Test
    void theBestConfigurationPerDatasetHasTheHighestMeanOverSeedsOfTheDoneRows() throws Exception {
        ResultTable best = plain().best();
        assertEquals(List.of("dataset", "k", "accuracy_mean", "accuracy_std", "accuracy_count"), best.columns());
        assertEquals(2, best.size());
        for (int i = 0; i < best.size(); i++) {
            String dataset = (String) best.get(i, "dataset");
            // the SQL aggregate: the highest mean over seeds among the dataset's configurations; means equal
            // to 12 digits (the example's rings has 421/450 at k = 5 and 9) are a tie, won by the lowest k
            Map<String, Long> ks = counts("SELECT k, count(*) FROM " + table + " WHERE status = 'done' AND dataset = '"
                    + dataset + "' GROUP BY k ORDER BY k");
            long k = -1;
            double top = Double.NEGATIVE_INFINITY;
            for (String kk : ks.keySet()) {
                double m = ((Number) one("SELECT avg(accuracy) FROM " + table + " WHERE status = 'done' AND dataset = '"
                                + dataset + "' AND k = " + kk))
                        .doubleValue();
                if (m > top + 1e-12) {
                    top = m;
                    k = Long.parseLong(kk);
                }
            }
            assertEquals(k, ((Number) best.get(i, "k")).longValue(), dataset);
            double mean = ((Number) one("SELECT avg(accuracy) FROM " + table + " WHERE status = 'done' AND dataset = '"
                            + dataset + "' AND k = " + k))
                    .doubleValue();
            double sumSq = ((Number) one("SELECT sum((accuracy - " + mean + ") * (accuracy - " + mean + ")) FROM "
                            + table + " WHERE status = 'done' AND dataset = '" + dataset + "' AND k = " + k))
                    .doubleValue();
            long n = ks.get(String.valueOf(k));
            assertEquals(mean, ((Number) best.get(i, "accuracy_mean")).doubleValue(), 1e-12);
            assertEquals(Math.sqrt(sumSq / (n - 1)), ((Number) best.get(i, "accuracy_std")).doubleValue(), 1e-9);
            assertEquals(n, ((Number) best.get(i, "accuracy_count")).longValue());
        }
    }

    @Test
    void computeIsTheSumOfTheRowsAndOfTheEnergyTable() throws Exception {
        Report.Compute c = plain().compute();
        assertEquals(((Number) one("SELECT sum(cpu_time) FROM " + table)).doubleValue() / 3600, c.cpuHours(), 1e-12);
        assertEquals(((Number) one("SELECT sum(wall_time) FROM " + table)).doubleValue() / 3600, c.wallHours(), 1e-12);
        assertTrue(c.cpuHours() > 0);
        String e = table + "__energy";
        assertEquals(((Number) one("SELECT sum(energy_kwh) FROM " + e)).doubleValue(), c.energyKwh(), 1e-12);
        assertEquals(((Number) one("SELECT sum(emissions_kg) FROM " + e)).doubleValue(), c.emissionsKg(), 1e-12);
        assertEquals(((Number) one("SELECT sum(gpu_energy_kwh) FROM " + e)).doubleValue(), c.gpuEnergyKwh(), 1e-12);
        assertTrue(c.firstStart().before(c.lastEnd()));
        assertEquals(gpuHours(""), c.gpuHours(), 1e-9);
        assertTrue(c.gpuHours() > 0);
    }

    /**
     * GPU hours of the counted attempts of the rows the condition selects: each attempt's end
     * minus start times the gpus=N of its resources (none recorded: 0), summed, read row by row.
     */
    double gpuHours(String condition) throws Exception {
        ExperimentStore store = TestDb.store(ex);
        double seconds = 0;
        int attempts = 0;
        try (Connection c = store.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT start_date, end_date, resources FROM " + table
                        + "__attempts WHERE outcome <> 'released' AND experiment_id IN (SELECT id FROM " + table
                        + (condition.isEmpty() ? "" : " WHERE " + condition) + ")")) {
            while (rs.next()) {
                java.time.Instant start = store.dialect().getTimestamp(rs, "start_date");
                java.time.Instant end = store.dialect().getTimestamp(rs, "end_date");
                String given = rs.getString("resources");
                java.util.regex.Matcher m =
                        java.util.regex.Pattern.compile("(^| )gpus=([0-9]+)").matcher(given == null ? "" : given);
                int gpus = m.find() ? Integer.parseInt(m.group(2)) : 0;
                if (start != null && end != null) {
                    seconds += java.time.Duration.between(start, end).toNanos() / 1e9 * gpus;
                }
                attempts++;
            }
        }
        assertTrue(attempts > 0, condition);
        return seconds / 3600;
    }

    @Test
    void infrastructureCountsHostsExecutorsAndModels() throws Exception {
        Report.Infrastructure i = plain().infrastructure();
        String a = table + "__attempts";
        assertEquals(
                countList("SELECT machine, count(*) FROM " + a + " WHERE outcome <> 'released' AND machine IS NOT"
                        + " NULL GROUP BY machine ORDER BY machine"),
                i.hosts());
        assertEquals(
                count("SELECT count(DISTINCT spark_app) FROM " + a + " WHERE outcome <> 'released'"),
                i.sparkApplications());
        assertEquals(
                count("SELECT count(*) FROM (SELECT DISTINCT spark_app, executor FROM " + a + " WHERE outcome <>"
                        + " 'released' AND spark_app IS NOT NULL AND executor IS NOT NULL) x"),
                i.executors());
        assertEquals(spark.version(), i.sparkVersion());
        assertEquals(
                countList("SELECT cpu_model, count(DISTINCT id) FROM " + table + "__energy GROUP BY"
                        + " cpu_model ORDER BY cpu_model"),
                i.cpuModels());
        assertEquals(List.of(), i.gpuModels());
    }

    @Test
    void codeVersionsCountTheDoneRowsOfEachVersion() throws Exception {
        Report.Code code = plain().code();
        String a = table + "__attempts";
        // each done row once, by its last done attempt (rows run again after a reset keep their
        // earlier attempts, and error rows their done attempt of the first run)
        String lastDone = " FROM " + table + " r JOIN " + a + " a ON a.experiment_id = r.id WHERE r.status = 'done'"
                + " AND a.id = (SELECT MAX(b.id) FROM " + a + " b WHERE b.experiment_id = r.id AND b.outcome = 'done')";
        assertEquals(
                List.of(
                        new Report.Count(
                                "abc123", count("SELECT count(*)" + lastDone + " AND a.code_version = 'abc123'")),
                        new Report.Count(
                                "def456",
                                count("SELECT count(*)" + lastDone
                                        + " AND a.code_version = 'def456' AND a.code_dirty = 0")),
                        new Report.Count("def456 (dirty)", 1)),
                code.versions());
        assertEquals(77, code.versions().stream().mapToLong(Report.Count::n).sum(), "the 77 done rows");
        assertEquals(List.of(new Report.Count("Java 17", 77)), code.runtimes());
    }

    @Test
    void aConditionNarrowsEveryNumberToItsRows() throws Exception {
        Report.Appendix w = report().where("k <= 7 AND dataset = 'rings'").collect();
        assertEquals(
                count("SELECT count(*) FROM " + table + " WHERE k <= 7 AND dataset = 'rings'"),
                w.runs().rows());
        assertEquals(4, w.runs().configurations());
        assertEquals(
                count("SELECT count(*) FROM " + table + "__attempts WHERE experiment_id IN (SELECT id FROM " + table
                        + " WHERE k <= 7 AND dataset = 'rings')"),
                w.runs().attempts());
    }

    @Test
    void badOptionsAreOneLineNamingTheOption() {
        ExperimenterException by = assertThrows(
                ExperimenterException.class, () -> report().by(List.of("seed")).collect());
        assertTrue(by.getMessage().startsWith("--by seed: seed is a seed"), by.getMessage());
        ExperimenterException value = assertThrows(
                ExperimenterException.class, () -> report().value("dataset").collect());
        assertTrue(value.getMessage().startsWith("--value dataset: no such result field"), value.getMessage());
        ExperimenterException where = assertThrows(
                ExperimenterException.class,
                () -> report().where("k <= 7; DROP TABLE x").collect());
        assertTrue(where.getMessage().contains("--where") || where.getMessage().contains(";"), where.getMessage());
    }
}
