package org.experimenter.energy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.experimenter.Experiment;
import org.experimenter.ExperimenterException;
import org.experimenter.eval.ResultTable;
import org.experimenter.eval.Stat;
import org.experimenter.testing.InProcessCli;
import org.experimenter.testing.PerTestTable;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.Test;

/** Energy rows and provenance columns of attempts, on each database. */
abstract class EnergyContractTest extends PerTestTable {
    static final String CONF = String.join(
            "\n",
            "keyfields { x { type = int, values = [1, 2, 3, 4] } }",
            "resultfields { r = double }",
            "energy {",
            "  cpu-power-per-core-w = 20",
            "  ram-power-per-gb-w = 0.5",
            "  ram-gb = 2",
            "  carbon-intensity-g-per-kwh = 400",
            "  country = DEU",
            "  nvidia-smi = \"\"",
            "}",
            "");

    /** Burns about 20 ms of its thread's CPU time, so every attempt has CPU time to charge. */
    static final Experiment BURN = ctx -> {
        var threads = ManagementFactory.getThreadMXBean();
        long t0 = threads.getCurrentThreadCpuTime();
        double x = 0;
        while (threads.getCurrentThreadCpuTime() - t0 < 20_000_000L) {
            for (int i = 0; i < 10_000; i++) {
                x += Math.sqrt(i + x);
            }
        }
        ctx.results().put("r", x);
    };

    EnergyContractTest() {
        super("energy", CONF);
    }

    /** No powercap counters: the CPU's energy is estimated. */
    @Override
    protected String startingExtra() {
        return "energy.powercap-root = \"" + dir.resolve("no-powercap") + "\"\n";
    }

    List<Map<String, Object>> query(String sql) throws SQLException {
        try (Connection c = TestDb.store(ex).connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            List<Map<String, Object>> out = new ArrayList<>();
            while (rs.next()) {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    m.put(md.getColumnLabel(i).toLowerCase(Locale.ROOT), rs.getObject(i));
                }
                out.add(m);
            }
            return out;
        }
    }

    static double d(Object o) {
        return ((Number) o).doubleValue();
    }

    @Test
    void eachAttemptHasAnEnergyRowEstimatedFromItsCpuTimeToTheLastDigit() throws Exception {
        ex.fill();
        ex.run(spark, BURN);
        List<Map<String, Object>> rows = query("SELECT e.*, t.cpu_time, t.wall_time, t.attempt AS row_attempt FROM "
                + table + "__energy e JOIN " + table + " t ON t.id = e.id ORDER BY e.id");
        assertEquals(4, rows.size());
        for (Map<String, Object> r : rows) {
            double cpu = d(r.get("cpu_time"));
            double wall = d(r.get("wall_time"));
            assertTrue(cpu >= 0.02, "each attempt burned 20 ms of CPU: " + r);
            // the same arithmetic as the documented formulas, so equal to the last bit
            double cpuKwh = cpu * 20 / 3.6e6;
            double ramKwh = 2 * 0.5 * wall / 3.6e6;
            assertEquals(cpuKwh, d(r.get("cpu_energy_kwh")), 0.0);
            assertEquals(ramKwh, d(r.get("ram_energy_kwh")), 0.0);
            assertEquals(cpuKwh + ramKwh, d(r.get("energy_kwh")), 0.0);
            assertEquals((cpuKwh + ramKwh) * 400 / 1000.0, d(r.get("emissions_kg")), 0.0);
            assertEquals(wall, d(r.get("duration_s")), 0.0);
            assertEquals(cpu * 20 / wall, d(r.get("cpu_power_w")), 1e-9);
            assertEquals(1.0, d(r.get("ram_power_w")), 0.0);
            assertEquals("estimated", r.get("method"));
            assertEquals("DEU", r.get("country"));
            assertEquals(400.0, d(r.get("carbon_intensity_g_per_kwh")), 0.0);
            assertEquals(2.0, d(r.get("ram_gb")), 0.0);
            assertEquals(Runtime.getRuntime().availableProcessors(), ((Number) r.get("cpu_count")).intValue());
            assertNotNull(r.get("cpu_model"));
            assertNull(r.get("gpu_energy_kwh"), "nvidia-smi = \"\": no GPU");
            assertNull(r.get("gpu_model"));
            assertEquals(((Number) r.get("row_attempt")).intValue(), ((Number) r.get("attempt")).intValue());
        }
    }

    @Test
    void attemptsRecordConfigHashCodeVersionRuntimeAndWhereTheyRan() throws Exception {
        ex.fill();
        ex.run(spark, BURN);
        List<Map<String, Object>> rows = query("SELECT config_hash, code_version, code_dirty, runtime_version,"
                + " packages, spark_app, machine, executor FROM " + table + "__attempts");
        assertEquals(4, rows.size());
        String hash = HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256")
                        .digest(ex.config().effectiveJsonWithoutSecrets().getBytes(StandardCharsets.UTF_8)));
        String head = git("rev-parse", "HEAD");
        for (Map<String, Object> r : rows) {
            assertEquals(hash, r.get("config_hash"));
            // the experiment's class lies in this project's work tree: its commit
            assertEquals(head, r.get("code_version"));
            assertTrue(Set.of(0, 1).contains(((Number) r.get("code_dirty")).intValue()));
            assertEquals(
                    "Java " + System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vm.name")
                            + ")",
                    r.get("runtime_version"));
            assertNull(r.get("packages"));
            assertTrue(String.valueOf(r.get("spark_app")).startsWith("local-"), r.toString());
            assertNotNull(r.get("machine"));
            assertNotNull(r.get("executor"));
        }
        assertFalse(ex.config().effectiveJsonWithoutSecrets().contains("\"password\""));
    }

    @Test
    void evalSumsEnergyAndEmissionsOverAGroupingAsTheSqlSumDoes() throws Exception {
        ex.fill();
        ex.run(spark, BURN);
        ResultTable t = ex.evaluation(spark)
                .over(List.of("x"))
                .fields(List.of("energy_kwh", "emissions_kg", "r"))
                .stats(List.of(Stat.SUM, Stat.COUNT))
                .collect();
        Map<String, Object> sql = query(
                        "SELECT SUM(energy_kwh) AS e, SUM(emissions_kg) AS m FROM " + table + "__energy")
                .get(0);
        assertEquals(1, t.size());
        assertEquals(d(sql.get("e")), d(t.get(0, "energy_kwh_sum")), d(sql.get("e")) * 1e-12);
        assertEquals(d(sql.get("m")), d(t.get(0, "emissions_kg_sum")), d(sql.get("m")) * 1e-12);
        assertEquals(4L, ((Number) t.get(0, "energy_kwh_count")).longValue());
        String refused = assertThrows(
                        ExperimenterException.class,
                        () -> ex.evaluation(spark).fields(List.of("energy_kw")).collect())
                .getMessage();
        assertTrue(refused.contains("and the energy fields [energy_kwh, emissions_kg"), refused);
    }

    @Test
    void statusWarnsWhenDoneRowsComeFromDifferentCodeVersions() throws Exception {
        ex.fill();
        ex.run(spark, BURN);
        Path conf = dir.resolve("status.conf");
        StringBuilder hocon = new StringBuilder(CONF);
        db().database(dir, table)
                .forEach((k, v) -> hocon.append(k).append(" = \"").append(v).append("\"\n"));
        Files.writeString(conf, hocon);
        String[] agreed = InProcessCli.run("status", "--config", conf.toString());
        assertEquals("0", agreed[0], agreed[2]);
        assertFalse(agreed[2].contains("code versions"), agreed[2]);
        assertEquals(1, TestDb.store(ex).codeVersionsOfDoneRows().size());

        try (Connection c = TestDb.store(ex).connect();
                Statement s = c.createStatement()) {
            s.executeUpdate(
                    "UPDATE " + table + "__attempts SET code_version = 'other-version' WHERE experiment_id = 2");
        }
        assertEquals(2, TestDb.store(ex).codeVersionsOfDoneRows().size());
        String[] differ = InProcessCli.run("status", "--config", conf.toString());
        assertEquals("0", differ[0], differ[2]);
        assertTrue(
                differ[2].startsWith("warning: the done rows of " + table + " come from 2 code versions: "
                        + git("rev-parse", "HEAD") + " (3 rows"),
                differ[2]);
        assertTrue(differ[2].contains("other-version (1 row"), differ[2]);
        assertTrue(differ[1].contains("done     4"), differ[1]);

        // reset and run again on this code: its new attempt 1 makes it done; the old attempt 1 stays
        // in the attempts table and no longer counts
        assertEquals(1, ex.resetWhere("id = 2"));
        ex.run(spark, BURN);
        assertEquals(1, TestDb.store(ex).codeVersionsOfDoneRows().size());
        String[] again = InProcessCli.run("status", "--config", conf.toString());
        assertFalse(again[2].contains("code versions"), again[2]);
    }

    static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    static String sha256(Path file) throws Exception {
        return "sha256:"
                + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    @Test
    void aPythonFunctionsWorkerCpuTimeInterpreterAndPackagesAreTheAttempts() throws Exception {
        Path f = dir.resolve("burn.py");
        Files.writeString(
                f,
                String.join(
                        "\n",
                        "import time",
                        "def run(parameters, result_processor, custom_config):",
                        "    t = time.process_time()",
                        "    while time.process_time() - t < 0.1:",
                        "        pass",
                        "    result_processor.process_results({'r': 1.0})",
                        ""));
        ex.drop();
        ex = experimenter("experiment.python { function = \"" + f + ":run\", interpreter = \"" + python() + "\" }\n"
                + "experiment.run-dir = \"" + dir.resolve("runs") + "\"\n"
                + "provenance.packages = [json, no_such_package_here]\n");
        ex.fill();
        ex.run(spark);
        List<Map<String, Object>> rows = query("SELECT a.runtime_version, a.packages, a.code_version, a.code_dirty,"
                + " t.cpu_time, e.cpu_energy_kwh FROM " + table + "__attempts a JOIN " + table
                + " t ON t.id = a.experiment_id JOIN " + table + "__energy e ON e.id = t.id");
        assertEquals(4, rows.size());
        String version = pythonOutput("import sys; print(sys.version.split()[0])");
        String json = pythonOutput("import json; print(json.__version__)");
        for (Map<String, Object> r : rows) {
            assertEquals("Python " + version, r.get("runtime_version"));
            assertEquals("{\"json\":\"" + json + "\",\"no_such_package_here\":null}", r.get("packages"));
            assertEquals(sha256(f), r.get("code_version"), "a file outside a work tree: its digest");
            assertNull(r.get("code_dirty"));
            // the worker's CPU time counts: the function burned 0.1 s of it (ticks of 10 ms)
            assertTrue(d(r.get("cpu_time")) >= 0.09, r.toString());
            assertEquals(d(r.get("cpu_time")) * 20 / 3.6e6, d(r.get("cpu_energy_kwh")), 0.0);
        }
    }

    @Test
    void aCommandsProcessCpuTimeAndScriptDigestAreTheAttempts() throws Exception {
        Path script = dir.resolve("burn.py");
        Files.writeString(
                script,
                String.join(
                        "\n",
                        "import json, os, time",
                        "t = time.process_time()",
                        "while time.process_time() - t < 0.6:",
                        "    pass",
                        "open(os.environ['EXPERIMENTER_RESULT_FILE'], 'w').write(json.dumps({'r': 2.0}))",
                        ""));
        ex.drop();
        ex = experimenter("experiment { command = [\"" + python() + "\", \"" + script + "\"], run-dir = \""
                + dir.resolve("runs") + "\" }\n");
        ex.fill();
        ex.run(spark);
        List<Map<String, Object>> rows = query("SELECT a.runtime_version, a.code_version, t.cpu_time, t.status"
                + " FROM " + table + "__attempts a JOIN " + table + " t ON t.id = a.experiment_id");
        assertEquals(4, rows.size());
        for (Map<String, Object> r : rows) {
            assertEquals("done", r.get("status"));
            assertNull(r.get("runtime_version"), "a command's runtime is not known");
            assertEquals(sha256(script), r.get("code_version"), "the script python3 runs, not python3");
            // read every 200 ms while it runs: at most a tick of the 0.6 s is missed
            assertTrue(d(r.get("cpu_time")) >= 0.35, r.toString());
        }
        assertEquals(4, query("SELECT id FROM " + table + "__energy").size());
    }

    static String pythonOutput(String code) throws Exception {
        Process p = new ProcessBuilder(python(), "-c", code)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    @Test
    void energyOffWritesNoEnergyTable() throws Exception {
        ex.drop();
        ex = experimenter("energy.enabled = false\n");
        ex.fill();
        ex.run(spark, BURN);
        assertFalse(tableExists(table + "__energy"));
        assertEquals(4, query("SELECT config_hash FROM " + table + "__attempts").size());
    }

    @Test
    void readableRaplCountersMakeTheRowsMeasured() throws Exception {
        Path powercap = dir.resolve("powercap");
        Files.createDirectories(powercap.resolve("intel-rapl:0"));
        Files.writeString(powercap.resolve("intel-rapl:0/energy_uj"), "1000\n");
        Files.writeString(powercap.resolve("intel-rapl:0/max_energy_range_uj"), "262143328850\n");
        ex.drop();
        ex = experimenter("energy.powercap-root = \"" + powercap + "\"\n");
        ex.fill();
        ex.run(spark, BURN);
        List<Map<String, Object>> rows = query("SELECT method, cpu_energy_kwh FROM " + table + "__energy");
        assertEquals(4, rows.size());
        for (Map<String, Object> r : rows) {
            assertEquals("measured", r.get("method"));
            assertEquals(0.0, d(r.get("cpu_energy_kwh")), 0.0, "the fake counter stood still");
        }
    }

    @Test
    void aGpuSeenByNvidiaSmiIsSampledWhileRowsRun() throws Exception {
        Path smi = GpuMonitorTest.fakeNvidiaSmi(dir.resolve("bin"));
        ex.drop();
        ex = experimenter("energy { nvidia-smi = \"" + smi + "\", gpu-sample-interval = 20ms }\n");
        ex.fill();
        ex.run(spark, BURN);
        List<Map<String, Object>> rows = query("SELECT * FROM " + table + "__energy");
        assertEquals(4, rows.size());
        for (Map<String, Object> r : rows) {
            assertEquals(150.0, d(r.get("gpu_power_w")), 1e-6);
            assertEquals("Fake GPU A", r.get("gpu_model"));
            assertEquals(2, ((Number) r.get("gpu_count")).intValue());
            assertEquals(2048.0, d(r.get("gpu_memory_peak_mb")), 0.0);
            assertEquals(90.0, d(r.get("gpu_utilization_peak")), 0.0);
            double total = d(r.get("cpu_energy_kwh")) + d(r.get("ram_energy_kwh")) + d(r.get("gpu_energy_kwh"));
            assertEquals(total, d(r.get("energy_kwh")), 1e-18);
            assertTrue(d(r.get("gpu_energy_kwh")) > 0);
        }
    }

    @Test
    void anOlderTableGetsTheEnergyTableAndProvenanceColumnsInPlace() throws Exception {
        ex.createTable();
        try (Connection c = TestDb.store(ex).connect();
                Statement s = c.createStatement()) {
            s.execute("DROP TABLE " + table + "__energy");
            for (String col : List.of("config_hash", "code_version", "code_dirty", "runtime_version", "packages")) {
                s.execute("ALTER TABLE " + table + "__attempts DROP COLUMN " + col);
            }
        }
        assertFalse(tableExists(table + "__energy"));
        ex = experimenter("energy.powercap-root = \"" + dir.resolve("no-powercap") + "\"\n");
        ex.fill();
        ex.run(spark, BURN);
        assertEquals(4, query("SELECT id FROM " + table + "__energy").size());
        for (Map<String, Object> r : query("SELECT config_hash, runtime_version FROM " + table + "__attempts")) {
            assertNotNull(r.get("config_hash"));
            assertNotNull(r.get("runtime_version"));
        }
    }

    boolean tableExists(String name) throws SQLException {
        try (Connection c = TestDb.store(ex).connect();
                ResultSet rs = c.getMetaData().getTables(null, null, name, null)) {
            return rs.next();
        }
    }

    static String git(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("git"));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor(), out);
        return out;
    }
}
