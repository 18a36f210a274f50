package org.experimenter.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.experimenter.ExperimenterException;
import org.junit.jupiter.api.Test;

/** Each text format's exact output for small tables. */
class TableFormatTest {
    /** An evaluation: mean and std merged into one column for people; one group without a std. */
    static ResultTable evaluation() {
        List<List<Object>> rows = new ArrayList<>();
        rows.add(Arrays.asList("blobs", 1, 0.91234, 0.0123, 5L));
        rows.add(Arrays.asList("a|b_&\"c,", 13, 0.5, null, 1L));
        return new ResultTable(List.of("dataset", "k", "acc_mean", "acc_std", "acc_count"), rows)
                .withMerged("acc_mean", "acc_std", "acc");
    }

    /** A pivot: rows k, columns knn and svm, the best of each row marked. */
    static ResultTable pivot() {
        List<List<Object>> agg = new ArrayList<>();
        agg.add(Arrays.asList(1, "svm", 0.8, 0.01));
        agg.add(Arrays.asList(1, "knn", 0.9, 0.02));
        agg.add(Arrays.asList(3, "knn", 0.7, null));
        agg.add(Arrays.asList(3, "svm", 0.75, 0.03));
        ResultTable t = new ResultTable(List.of("k", "model", "acc_mean", "acc_std"), agg);
        return Pivot.build(t, List.of("k", "model"), List.of("k"), List.of("model"), "acc", Stat.MEAN, Stat.STD, false);
    }

    @Test
    void consoleAlignsColumnsAndShowsMeanPlusMinusStd() {
        assertEquals(
                String.join(
                        "\n",
                        "dataset    k            acc  acc_count",
                        "--------  --  -------------  ---------",
                        "blobs      1  0.912 ± 0.012          5",
                        "a|b_&\"c,  13          0.500          1",
                        "(2 rows)",
                        ""),
                TableFormat.CONSOLE.render(evaluation(), 3));
    }

    @Test
    void csvKeepsEveryColumnAndQuotesWhereNeeded() {
        assertEquals(
                "dataset,k,acc_mean,acc_std,acc_count\nblobs,1,0.912,0.012,5\n\"a|b_&\"\"c,\",13,0.500,,1\n",
                TableFormat.CSV.render(evaluation(), 3));
    }

    @Test
    void markdownEscapesPipes() {
        assertEquals(
                "| dataset | k | acc | acc_count |\n"
                        + "| --- | ---: | ---: | ---: |\n"
                        + "| blobs | 1 | 0.9123 ± 0.0123 | 5 |\n"
                        + "| a\\|b_&\"c, | 13 | 0.5000 | 1 |\n",
                TableFormat.MARKDOWN.render(evaluation()));
    }

    @Test
    void markdownKeepsAValueWithLineBreaksInItsRow() {
        List<List<Object>> rows = new ArrayList<>();
        rows.add(Arrays.asList("two\nlines", 1L));
        rows.add(Arrays.asList("dos\r\nlines\r", 2L));
        assertEquals(
                "| note | n |\n| --- | ---: |\n| two<br>lines | 1 |\n| dos<br>lines<br> | 2 |\n",
                TableFormat.MARKDOWN.render(new ResultTable(List.of("note", "n"), rows)));
    }

    @Test
    void latexUsesBooktabsAndPlusMinusAndEscapes() {
        assertEquals(
                "\\begin{tabular}{lrrr}\n"
                        + "\\toprule\n"
                        + "dataset & k & acc & acc\\_count \\\\\n"
                        + "\\midrule\n"
                        + "blobs & 1 & 0.91 $\\pm$ 0.01 & 5 \\\\\n"
                        + "a|b\\_\\&\"c, & 13 & 0.50 & 1 \\\\\n"
                        + "\\bottomrule\n"
                        + "\\end{tabular}\n",
                TableFormat.LATEX.render(evaluation(), 2));
    }

    @Test
    void jsonKeepsFullPrecisionAndNulls() {
        assertEquals(
                "[\n"
                        + "  {\"dataset\": \"blobs\", \"k\": 1, \"acc_mean\": 0.91234, \"acc_std\": 0.0123, \"acc_count\": 5},\n"
                        + "  {\"dataset\": \"a|b_&\\\"c,\", \"k\": 13, \"acc_mean\": 0.5, \"acc_std\": null, \"acc_count\": 1}\n"
                        + "]\n",
                TableFormat.JSON.render(evaluation()));
        assertEquals("[]\n", TableFormat.JSON.render(new ResultTable(List.of("a"), List.of())));
    }

    @Test
    void jsonWritesNonFiniteNumbersAsNullDecimalsPlainAndTimestampsAsInstants() {
        List<Object> row = Arrays.asList(
                Double.NaN,
                Float.NEGATIVE_INFINITY,
                1.5f,
                new java.math.BigDecimal("1E+3"),
                java.sql.Timestamp.from(java.time.Instant.parse("2024-01-02T03:04:05.678Z")),
                true,
                "tab\there \u0001 ± é",
                2);
        ResultTable t = new ResultTable(List.of("nan", "inf", "f", "dec", "ts", "b", "s", "s"), List.of(row));
        assertEquals(
                "[\n  {\"nan\": null, \"inf\": null, \"f\": 1.5, \"dec\": 1000, \"ts\": \"2024-01-02T03:04:05.678Z\","
                        + " \"b\": true, \"s\": \"tab\\there \\u0001 ± é\", \"s\": 2}\n]\n",
                TableFormat.JSON.render(t),
                "a column name used twice (SELECT 1 AS s, 2 AS s) is written twice");
    }

    @Test
    void aPivotMarksTheBestOfEachRow() {
        ResultTable p = pivot();
        assertEquals(List.of("k", "knn", "knn_std", "svm", "svm_std", "best"), p.columns());
        assertEquals(List.of(1, 0.9, 0.02, 0.8, 0.01, "knn"), p.rows().get(0));
        assertEquals(Arrays.asList(3, 0.7, null, 0.75, 0.03, "svm"), p.rows().get(1));
        assertTrue(p.isBest(0, "knn") && !p.isBest(0, "svm") && p.isBest(1, "svm"));

        assertEquals(
                "| k | knn | svm |\n| ---: | ---: | ---: |\n| 1 | **0.90 ± 0.02** | 0.80 ± 0.01 |\n| 3 | 0.70 | **0.75 ± 0.03** |\n",
                TableFormat.MARKDOWN.render(p, 2));
        assertEquals(
                "\\begin{tabular}{rrr}\n\\toprule\nk & knn & svm \\\\\n\\midrule\n"
                        + "1 & \\textbf{0.90 $\\pm$ 0.02} & 0.80 $\\pm$ 0.01 \\\\\n"
                        + "3 & 0.70 & \\textbf{0.75 $\\pm$ 0.03} \\\\\n"
                        + "\\bottomrule\n\\end{tabular}\n",
                TableFormat.LATEX.render(p, 2));
        assertEquals(
                String.join(
                        "\n",
                        "k           knn           svm",
                        "-  ------------  ------------",
                        "1  0.90 ± 0.02*  0.80 ± 0.01",
                        "3         0.70   0.75 ± 0.03*",
                        "(2 rows)",
                        "* best in its row: the highest mean of acc",
                        ""),
                TableFormat.CONSOLE.render(p, 2));
        assertEquals(
                "k,knn,knn_std,svm,svm_std,best\n1,0.90,0.02,0.80,0.01,knn\n3,0.70,,0.75,0.03,svm\n",
                TableFormat.CSV.render(p, 2));
    }

    @Test
    void lowerIsBetterMarksTheSmallestAndTiesMarkBoth() {
        List<List<Object>> agg = new ArrayList<>();
        agg.add(Arrays.asList("x", 1, 0.5));
        agg.add(Arrays.asList("x", 2, 0.5));
        agg.add(Arrays.asList("x", 3, 0.9));
        ResultTable t = new ResultTable(List.of("d", "k", "err_median"), agg);
        ResultTable p = Pivot.build(t, List.of("d", "k"), List.of("d"), List.of("k"), "err", Stat.MEDIAN, null, true);
        assertEquals(List.of("d", "k=1", "k=2", "k=3", "best"), p.columns());
        assertEquals("k=1,k=2", p.get(0, "best"));
        assertEquals(
                "| d | k=1 | k=2 | k=3 |\n| --- | ---: | ---: | ---: |\n| x | **0.5** | **0.5** | 0.9 |\n",
                TableFormat.MARKDOWN.render(p, 1));
    }

    @Test
    void aPivotRefusesAKeyfieldThatVariesOutsideRowsAndColumns() {
        List<List<Object>> agg = new ArrayList<>();
        agg.add(Arrays.asList("x", 1, 0.1, 0.5));
        agg.add(Arrays.asList("x", 2, 0.1, 0.6));
        agg.add(Arrays.asList("x", 1, 0.2, 0.7));
        ResultTable t = new ResultTable(List.of("d", "k", "lr", "acc_mean"), agg);
        ExperimenterException e = assertThrows(
                ExperimenterException.class,
                () -> Pivot.build(
                        t, List.of("d", "k", "lr"), List.of("d"), List.of("k"), "acc", Stat.MEAN, null, false));
        assertEquals(
                "keyfield lr has 2 values among the done rows (0.1, 0.2) but is in neither --rows nor --columns: add it to --rows, --columns or --over, or keep one value with --where \"lr = 0.1\"",
                e.getMessage());
    }

    @Test
    void parquetIsNotText() {
        ExperimenterException e =
                assertThrows(ExperimenterException.class, () -> TableFormat.PARQUET.render(evaluation()));
        assertTrue(e.getMessage().contains("--output"), e.getMessage());
        assertEquals(TableFormat.MARKDOWN, TableFormat.parse("Markdown"));
        assertThrows(ExperimenterException.class, () -> TableFormat.parse("xlsx"));
    }
}
