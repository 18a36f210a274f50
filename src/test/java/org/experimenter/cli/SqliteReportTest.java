package org.experimenter.cli;

import static org.experimenter.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.experimenter.eval.Report;
import org.experimenter.eval.ReportFormat;
import org.experimenter.eval.ResultTable;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.Test;

/**
 * The contract on SQLite, and the parts of {@code report} that read no database differently (Spark
 * SQL over the rows the contract has each database read): the lowest best, a stage, the command's
 * Markdown and LaTeX. Run on one database only: on the others they would repeat the same Spark jobs.
 */
class SqliteReportTest extends ReportContractTest {
    @Override
    TestDb db() {
        return TestDb.SQLITE;
    }

    @Test
    void theLowestBestOverallIsTheLowestMeanOfAConfiguration() throws Exception {
        ResultTable overall =
                report().value("accuracy").lowerIsBetter(true).collect().best();
        assertEquals(1, overall.size());
        double lowest = ((Number) one("SELECT min(m) FROM (SELECT avg(accuracy) AS m FROM " + table
                        + " WHERE status = 'done' GROUP BY dataset, k) g"))
                .doubleValue();
        assertEquals(lowest, ((Number) overall.get(0, "accuracy_mean")).doubleValue(), 1e-12);
    }

    @Test
    void aStageNarrowsEveryNumberToItsRows() throws Exception {
        Report.Appendix s = report().stage(2).collect();
        assertEquals(
                count("SELECT count(*) FROM " + table + " WHERE stage = 2"),
                s.runs().rows());
        assertEquals(2, s.runs().seeds());
        assertEquals(
                counts("SELECT status, count(*) FROM " + table + " WHERE stage = 2 GROUP BY status ORDER BY"
                        + " status"),
                s.runs().rowsByStatus());
        assertEquals(
                ((Number) one("SELECT sum(cpu_time) FROM " + table + " WHERE stage = 2")).doubleValue() / 3600,
                s.compute().cpuHours(),
                1e-12);
        assertEquals(gpuHours("stage = 2"), s.compute().gpuHours(), 1e-9);
        assertEquals(
                ((Number) one("SELECT sum(energy_kwh) FROM " + table + "__energy WHERE id IN (SELECT id" + " FROM "
                                + table + " WHERE stage = 2)"))
                        .doubleValue(),
                s.compute().energyKwh(),
                1e-12);
        assertEquals(
                List.of(
                        new Report.Stage(1, count("SELECT count(*) FROM " + table + " WHERE stage = 1"), 16, 0),
                        new Report.Stage(
                                2,
                                count("SELECT count(*) FROM " + table + " WHERE stage = 2"),
                                16,
                                count("SELECT count(parent_id) FROM " + table + " WHERE stage = 2"))),
                s.stages());
    }

    @Test
    void theCommandPrintsMarkdownAndLatex() throws Exception {
        String[] md = run("report", "-c", conf.toString(), "--by", "dataset", "--value", "accuracy");
        assertEquals("0", md[0], md[2]);
        String text = md[1];
        assertTrue(text.startsWith("# Reproducibility: table " + table + "\n"), text);
        assertTrue(text.contains("- Configurations: 16 (distinct values of the keyfields other than seed)"), text);
        assertTrue(text.contains("- Rows: 80 (done 77, error 3)"), text);
        assertTrue(
                text.contains(
                        "- Attempts: 87 (done 82, exception 5); failed attempts: 5;" + " rows run more than once: 5"),
                text);
        assertTrue(text.contains("| k | int | 8 | 1 to 15 | 1, 3, 5, 7, 9, 11, 13, 15 |"), text);
        assertTrue(text.contains("## Stages"), text);
        assertTrue(text.contains("## Best configuration per dataset"), text);
        assertTrue(text.contains("Code versions of done rows: abc123 ("), text);
        assertTrue(text.contains("CPU models: EPYC ("), text);
        assertTrue(text.contains("- GPU hours: " + String.format(java.util.Locale.ROOT, "%.4f h", gpuHours(""))), text);

        String[] tex = run("report", "-c", conf.toString(), "--format", "latex", "--stage", "2");
        assertEquals("0", tex[0], tex[2]);
        assertTrue(
                tex[1].startsWith("\\section*{Reproducibility: table " + table.replace("_", "\\_") + ", stage 2}"),
                tex[1]);
        assertTrue(tex[1].contains("\\begin{tabular}"), tex[1]);
        assertTrue(tex[1].contains("\\item Seeds: 2 (distinct values of seed)"), tex[1]);
        assertTrue(tex[1].contains("\\item GPU hours: "), tex[1]);
        for (String line : tex[1].split("\n")) {
            assertNull(line.contains("±") ? line : null, "a raw ± in LaTeX");
        }

        String[] bad = run("report", "-c", conf.toString(), "--format", "html");
        assertEquals(List.of("1", "error: --format html: expected markdown or latex\n"), List.of(bad[0], bad[2]));
        assertTrue(Set.of(ReportFormat.values()).size() == 2);
    }
}
