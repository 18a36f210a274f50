package org.experimenter.eval;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.experimenter.ExperimenterException;
import org.experimenter.eval.stats.Holm;
import org.experimenter.eval.stats.TestResult;
import org.experimenter.eval.stats.Wilcoxon;

/**
 * Marks the cells of a pivot that are not significantly worse than their row's best (or a control column): {@link
 * CellTest}'s paired test over the {@code --over} values both cells have, Holm-corrected within the row. Adds the
 * machine-only columns {@code <column>_p}, {@code <column>_p_holm}, {@code <column>_pairs} and {@code not_worse},
 * and the legend. Runs on the driver over values collected by {@link Evaluation}.
 */
final class SignificanceMarks {
    /** The machine-only column naming the marked column(s) of each row, as {@code best} names the best. */
    static final String NOT_WORSE = "not_worse";

    private SignificanceMarks() {}

    /**
     * @param pivot the pivot of {@link Pivot#build}, its first columns the row keyfields
     * @param rowFields the row keyfields
     * @param labels the pivot's value columns, in order
     * @param columnField the single column keyfield (for {@code --against 3} meaning {@code k=3}), or null
     * @param samples per row key, per column label, per {@code --over} key: the value
     * @param over the keyfields the tests pair by
     * @param center the statistic in the cells (the best is the best of it)
     */
    static ResultTable apply(
            ResultTable pivot,
            List<String> rowFields,
            List<String> labels,
            String columnField,
            Map<List<Object>, Map<String, Map<List<Object>, Double>>> samples,
            CellTest test,
            boolean lowerIsBetter,
            List<String> over,
            Stat center) {
        String control = control(test.against(), labels, columnField);
        String unit = over.size() == 1 ? over.get(0) : "(" + String.join(", ", over) + ")";
        Map<Integer, Integer> pairsHistogram = new TreeMap<>(java.util.Comparator.reverseOrder());
        Map<String, Integer> noTest = new LinkedHashMap<>();
        int tests = 0;
        long dropped = 0;
        long zeros = 0;
        int rowsWithoutControl = 0;
        // the largest pair count whose exact Wilcoxon p cannot reach alpha, and how many tests had such counts
        int blindPairs = 0;
        int blindTests = 0;

        List<String> extraColumns = new ArrayList<>();
        for (String l : labels) {
            extraColumns.addAll(List.of(l + "_p", l + "_p_holm", l + "_pairs"));
        }
        extraColumns.add(NOT_WORSE);
        List<List<Object>> extra = new ArrayList<>();
        Map<Integer, Set<String>> marked = new LinkedHashMap<>();

        for (int r = 0; r < pivot.size(); r++) {
            List<Object> rowKey = new ArrayList<>();
            for (String f : rowFields) {
                rowKey.add(pivot.get(r, f));
            }
            Map<String, Map<List<Object>, Double>> cells = samples.getOrDefault(rowKey, Map.of());
            String ref = control;
            if (ref == null) {
                for (String l : labels) {
                    if (pivot.isBest(r, l)) {
                        ref = l;
                        break;
                    }
                }
            }
            Double refCenter = ref == null ? null : number(pivot.get(r, ref));
            if (control != null && refCenter == null) {
                rowsWithoutControl++;
            }
            Map<String, List<Object>> values = new LinkedHashMap<>();
            Set<String> marks = new LinkedHashSet<>();
            List<String> tested = new ArrayList<>();
            List<TestResult> results = new ArrayList<>();
            List<Integer> pairCounts = new ArrayList<>();
            for (String l : labels) {
                values.put(l, new ArrayList<>(java.util.Arrays.asList(null, null, null)));
                if (refCenter == null || number(pivot.get(r, l)) == null) {
                    continue;
                }
                if (l.equals(ref)) {
                    marks.add(l);
                    continue;
                }
                Map<List<Object>, Double> a = cells.getOrDefault(l, Map.of());
                Map<List<Object>, Double> b = cells.getOrDefault(ref, Map.of());
                List<List<Object>> common = new ArrayList<>();
                for (List<Object> k : a.keySet()) {
                    if (b.containsKey(k)) {
                        common.add(k);
                    }
                }
                dropped += a.size() + b.size() - 2L * common.size();
                double[] x = new double[common.size()];
                double[] y = new double[common.size()];
                for (int i = 0; i < x.length; i++) {
                    x[i] = a.get(common.get(i));
                    y[i] = b.get(common.get(i));
                }
                TestResult t = common.isEmpty()
                        ? new TestResult(test.test().name(), Double.NaN, Double.NaN, 0, "no " + unit + " in common")
                        : test.test().run(x, y);
                tests++;
                pairsHistogram.merge(common.size(), 1, Integer::sum);
                if (test.test() == CellTest.Kind.WILCOXON) {
                    zeros += common.size() - t.pairs();
                    if (t.method().equals("exact") && Wilcoxon.smallestExactP(t.pairs()) >= test.alpha()) {
                        blindPairs = Math.max(blindPairs, t.pairs());
                        blindTests++;
                    }
                }
                if (Double.isNaN(t.p())) {
                    noTest.merge(t.method(), 1, Integer::sum);
                }
                tested.add(l);
                results.add(t);
                pairCounts.add(common.size());
            }
            double[] p = results.stream().mapToDouble(TestResult::p).toArray();
            double[] holm = Holm.adjust(p);
            for (int i = 0; i < tested.size(); i++) {
                String l = tested.get(i);
                double c = number(pivot.get(r, l));
                boolean worse = lowerIsBetter ? c > refCenter : c < refCenter;
                boolean notWorse = Double.isNaN(p[i]) ? c == refCenter : !(holm[i] < test.alpha() && worse);
                if (notWorse) {
                    marks.add(l);
                }
                values.put(l, java.util.Arrays.asList(finite(p[i]), finite(holm[i]), pairCounts.get(i)));
            }
            List<Object> line = new ArrayList<>();
            for (String l : labels) {
                line.addAll(values.get(l));
            }
            List<String> inOrder = new ArrayList<>();
            for (String l : labels) {
                if (marks.contains(l)) {
                    inOrder.add(l);
                }
            }
            line.add(inOrder.isEmpty() ? null : String.join(",", inOrder));
            extra.add(line);
            marked.put(r, marks);
        }

        String reference = control == null
                ? "the row's best (its " + (lowerIsBetter ? "lowest " : "highest ") + center.key()
                        + ", bold, itself marked)"
                : "the control " + control;
        String meaning = "not significantly worse than " + reference + " at alpha " + plain(test.alpha())
                + ": two-sided " + test.test().title() + " over the values of " + unit
                + " both cells have, Holm-corrected within each row";
        List<String> notes = new ArrayList<>();
        notes.add(
                test.test() == CellTest.Kind.WILCOXON
                        ? "Wilcoxon: zero differences dropped before ranking (zero_method='wilcox', scipy's default),"
                                + " no continuity correction; exact p-values for at most 50 pairs without zero or tied"
                                + " differences, else the normal approximation with the tie correction"
                        : "t-test: as scipy's ttest_rel, n - 1 degrees of freedom");
        if (tests == 0) {
            notes.add("no test: no row has two cells with a value"
                    + (control == null ? "" : " beside the control " + control));
        } else {
            List<String> h = new ArrayList<>();
            for (Map.Entry<Integer, Integer> e : pairsHistogram.entrySet()) {
                h.add(e.getKey() + " in " + (e.getValue() == tests && h.isEmpty() ? "all " : "") + e.getValue()
                        + (e.getValue() == 1 ? " test" : " tests"));
            }
            notes.add("pairs per test: " + String.join(", ", h) + "; "
                    + (dropped == 0
                            ? "no value of " + unit + " dropped for pairing"
                            : dropped + " value" + (dropped == 1 ? "" : "s") + " of " + unit
                                    + " dropped for pairing (present in only one of the two cells)")
                    + (zeros == 0
                            ? ""
                            : "; " + zeros + " zero difference" + (zeros == 1 ? "" : "s") + " dropped by the test"));
        }
        if (blindTests > 0) {
            int enough = blindPairs;
            while (Wilcoxon.smallestExactP(enough) >= test.alpha()) {
                enough++;
            }
            notes.add("with " + blindPairs + " pairs an exact two-sided Wilcoxon test cannot give a p-value below "
                    + plain(Wilcoxon.smallestExactP(blindPairs)) + ", not below alpha " + plain(test.alpha()) + ": "
                    + blindTests + " of " + tests + (tests == 1 ? " test" : " tests")
                    + " could not mark a cell significantly worse whatever the values (" + enough
                    + " pairs can reach " + plain(Wilcoxon.smallestExactP(enough)) + "; or --test ttest)");
        }
        if (!noTest.isEmpty()) {
            List<String> why = new ArrayList<>();
            int n = 0;
            for (Map.Entry<String, Integer> e : noTest.entrySet()) {
                why.add(e.getKey() + ": " + e.getValue());
                n += e.getValue();
            }
            notes.add("no test for " + n + (n == 1 ? " cell" : " cells") + " (" + String.join(", ", why)
                    + "): marked only when its value equals the reference's");
        }
        if (rowsWithoutControl > 0) {
            notes.add(rowsWithoutControl + (rowsWithoutControl == 1 ? " row has" : " rows have")
                    + " no value of the control " + control + ": not tested");
        }
        return pivot.withMarks(extraColumns, extra, new ResultTable.Marks(marked, meaning, notes));
    }

    private static String control(String against, List<String> labels, String columnField) {
        if (against == null) {
            return null;
        }
        if (labels.contains(against)) {
            return against;
        }
        if (columnField != null && labels.contains(columnField + "=" + against)) {
            return columnField + "=" + against;
        }
        throw new ExperimenterException(
                "--against " + against + ": no such column; the columns are " + labels + " (or --against best)");
    }

    private static Double number(Object v) {
        if (v instanceof Number) {
            double d = ((Number) v).doubleValue();
            return Double.isNaN(d) ? null : d;
        }
        return null;
    }

    private static Double finite(double d) {
        return Double.isNaN(d) ? null : d;
    }

    /** 0.05 as 0.05, 0.0625 as 0.0625: four significant digits, no exponent. */
    static String plain(double d) {
        return new BigDecimal(d).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }
}
