package org.experimenter.eval.stats;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.experimenter.ExperimenterException;
import org.experimenter.eval.JsonLayout;

/** A {@link MethodComparison} written as text, Markdown, LaTeX or JSON. */
public final class ComparisonFormat {
    private ComparisonFormat() {}

    /** Checks a --format value before any work is done. */
    public static String parse(String format) {
        if (!List.of("text", "markdown", "latex", "json").contains(format)) {
            throw new ExperimenterException("--format " + format + ": expected text, markdown, latex or json");
        }
        return format;
    }

    /**
     * @param what what was compared, e.g. "mean accuracy over seed, higher is better"
     */
    public static String write(MethodComparison c, String format, String what) {
        return switch (parse(format)) {
            case "json" -> json(c);
            case "markdown" -> table(c, what, "| ", " | ", " |", true);
            case "latex" -> latex(c, what);
            default -> table(c, what, "", "  ", "", false);
        };
    }

    private static String json(MethodComparison c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n_datasets", c.datasets().size());
        m.put("n_methods", c.methods().size());
        Map<String, Object> ranks = new LinkedHashMap<>();
        for (int j = 0; j < c.methods().size(); j++) {
            ranks.put(c.methods().get(j), c.friedman().averageRanks()[j]);
        }
        m.put("ranks", ranks);
        m.put("friedman", test(c.friedman().chiSquare(), c.friedman().p()));
        // F is infinite (null in JSON) when every data set ranks the methods alike
        m.put("iman_davenport", test(c.friedman().imanDavenport(), c.friedman().pImanDavenport()));
        Map<String, Object> cd = new LinkedHashMap<>();
        cd.put("nemenyi", c.nemenyi());
        if (c.control() >= 0) {
            cd.put("bonferroni_dunn", c.bonferroniDunn());
        }
        cd.put("alpha", c.alpha());
        m.put("critical_difference", cd);
        if (c.control() >= 0) {
            List<Object> holm = new ArrayList<>();
            for (int j = 0; j < c.methods().size(); j++) {
                if (j != c.control()) {
                    Map<String, Object> h = new LinkedHashMap<>();
                    h.put("method", c.methods().get(j));
                    h.put("p", c.holmControl()[0][j]);
                    h.put("p_holm", c.holmControl()[1][j]);
                    holm.add(h);
                }
            }
            Map<String, Object> control = new LinkedHashMap<>();
            control.put("method", c.methods().get(c.control()));
            control.put("holm", holm);
            m.put("control", control);
        }
        List<Object> pairs = new ArrayList<>();
        for (MethodComparison.Pair p : c.pairwise()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("a", p.a());
            o.put("b", p.b());
            o.put("test", p.test().test());
            o.put("statistic", number(p.test().statistic()));
            o.put("p", number(p.test().p()));
            o.put("p_holm", number(p.pHolm()));
            pairs.add(o);
        }
        m.put("pairwise", pairs);
        m.put("left_out", c.leftOut());
        try {
            return new ObjectMapper().writer(new JsonLayout()).writeValueAsString(m) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("comparison to JSON: this is a bug", e);
        }
    }

    private static Map<String, Object> test(double statistic, double p) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("statistic", number(statistic));
        t.put("p", number(p));
        return t;
    }

    /** NaN (no test possible) as JSON null. */
    private static Object number(double x) {
        return Double.isNaN(x) || Double.isInfinite(x) ? null : x;
    }

    private static String table(MethodComparison c, String what, String open, String sep, String close, boolean md) {
        StringBuilder s = new StringBuilder();
        for (String line : summary(c, what)) {
            s.append(line).append(md ? "\n\n" : "\n");
        }
        List<List<String>> ranks = new ArrayList<>();
        ranks.add(List.of("method", "average rank"));
        for (int j : byRank(c)) {
            ranks.add(List.of(c.methods().get(j), f(c.friedman().averageRanks()[j])));
        }
        if (c.control() >= 0) {
            List<List<String>> withControl = new ArrayList<>();
            withControl.add(
                    List.of("method", "average rank", "p vs " + c.methods().get(c.control()), "p_holm"));
            for (int j : byRank(c)) {
                boolean self = j == c.control();
                withControl.add(List.of(
                        c.methods().get(j),
                        f(c.friedman().averageRanks()[j]),
                        self ? "control" : p(c.holmControl()[0][j]),
                        self ? "" : p(c.holmControl()[1][j])));
            }
            ranks = withControl;
        }
        grid(s, ranks, open, sep, close, md);
        s.append("\n");
        s.append("pairwise Wilcoxon signed-rank tests over the data sets, Holm-corrected over "
                        + c.pairwise().size() + " pairs:")
                .append(md ? "\n\n" : "\n");
        List<List<String>> pairs = new ArrayList<>();
        pairs.add(List.of("a", "b", "statistic", "p", "p_holm", ""));
        for (MethodComparison.Pair p : c.pairwise()) {
            pairs.add(List.of(
                    p.a(),
                    p.b(),
                    f(p.test().statistic()),
                    p(p.test().p()),
                    p(p.pHolm()),
                    p.pHolm() < c.alpha() ? "significant" : ""));
        }
        grid(s, pairs, open, sep, close, md);
        if (!c.leftOut().isEmpty()) {
            s.append(md ? "\n" : "")
                    .append("left out: ")
                    .append(String.join("; ", c.leftOut()))
                    .append("\n");
        }
        return s.toString();
    }

    private static List<String> summary(MethodComparison c, String what) {
        Friedman f = c.friedman();
        int k = c.methods().size();
        int n = c.datasets().size();
        List<String> lines = new ArrayList<>();
        lines.add(k + " methods on " + n + " data sets, " + what + "; rank 1 is the best");
        lines.add("Friedman chi2(" + (k - 1) + ") = " + f(f.chiSquare()) + ", p = " + p(f.p()) + "; Iman-Davenport F("
                + (k - 1) + ", " + (k - 1) * (n - 1) + ") = " + f(f.imanDavenport()) + ", p = "
                + p(f.pImanDavenport()));
        String cd = "Nemenyi critical difference at alpha " + c.alpha() + ": " + f(c.nemenyi())
                + " (average ranks closer than this are not significantly different)";
        if (c.control() >= 0) {
            cd += "; Bonferroni-Dunn against " + c.methods().get(c.control()) + ": " + f(c.bonferroniDunn());
        }
        lines.add(cd);
        if (n < 10) {
            lines.add("only " + n + " data sets: the chi-square and F p-values of the Friedman test are rough below"
                    + " about 10 data sets, and the Wilcoxon tests of a pair cannot reach small p-values (exact: at"
                    + " least " + p(Wilcoxon.smallestExactP(n)) + ")");
        }
        return lines;
    }

    private static String latex(MethodComparison c, String what) {
        StringBuilder s = new StringBuilder();
        for (String line : summary(c, what)) {
            s.append(comment(line));
        }
        s.append("\\begin{tabular}{lr}\n\\hline\nmethod & average rank \\\\\n\\hline\n");
        for (int j : byRank(c)) {
            s.append(tex(c.methods().get(j)))
                    .append(" & ")
                    .append(f(c.friedman().averageRanks()[j]))
                    .append(" \\\\\n");
        }
        s.append("\\hline\n\\end{tabular}\n\n\\begin{tabular}{llrrr}\n\\hline\n")
                .append("$a$ & $b$ & $T$ & $p$ & $p_{\\mathrm{Holm}}$ \\\\\n\\hline\n");
        for (MethodComparison.Pair p : c.pairwise()) {
            s.append(tex(p.a()))
                    .append(" & ")
                    .append(tex(p.b()))
                    .append(" & ")
                    .append(f(p.test().statistic()))
                    .append(" & ")
                    .append(p(p.test().p()))
                    .append(" & ")
                    .append(p(p.pHolm()))
                    .append(" \\\\\n");
        }
        s.append("\\hline\n\\end{tabular}\n");
        if (!c.leftOut().isEmpty()) {
            s.append(comment("left out: " + String.join("; ", c.leftOut())));
        }
        return s.toString();
    }

    /**
     * A LaTeX comment of text that may hold names from the table: every line of it starts with
     * "% ", so a method or data set name with a line break cannot end the comment and put LaTeX
     * (\\input, \\write18) into the document.
     */
    static String comment(String text) {
        return "% " + text.replaceAll("\\R", "\n% ") + "\n";
    }

    private static void grid(
            StringBuilder s, List<List<String>> rows, String open, String sep, String close, boolean md) {
        int cols = rows.get(0).size();
        int[] w = new int[cols];
        for (List<String> r : rows) {
            for (int i = 0; i < cols; i++) {
                w[i] = Math.max(w[i], r.get(i).length());
            }
        }
        for (int r = 0; r < rows.size(); r++) {
            List<String> cells = new ArrayList<>();
            for (int i = 0; i < cols; i++) {
                String v = rows.get(r).get(i);
                cells.add(i < 2 ? pad(v, w[i], false) : pad(v, w[i], true));
            }
            s.append((open + String.join(sep, cells) + close).stripTrailing()).append("\n");
            if (md && r == 0) {
                List<String> rule = new ArrayList<>();
                for (int i = 0; i < cols; i++) {
                    rule.add(i < 2 ? "---" : "---:");
                }
                s.append("| ").append(String.join(" | ", rule)).append(" |\n");
            }
        }
    }

    private static String pad(String v, int width, boolean right) {
        String fill = " ".repeat(width - v.length());
        return right ? fill + v : v + fill;
    }

    private static List<Integer> byRank(MethodComparison c) {
        List<Integer> order = new ArrayList<>();
        for (int j = 0; j < c.methods().size(); j++) {
            order.add(j);
        }
        order.sort((a, b) ->
                Double.compare(c.friedman().averageRanks()[a], c.friedman().averageRanks()[b]));
        return order;
    }

    private static String f(double x) {
        return Double.isNaN(x) ? "-" : String.format(Locale.ROOT, "%.4f", x);
    }

    /** p-values: four decimals, or scientific when smaller than 0.0001 (a table of 0.0000 says nothing). */
    private static String p(double x) {
        if (Double.isNaN(x)) {
            return "-";
        }
        return x < 1e-4 ? String.format(Locale.ROOT, "%.2e", x) : String.format(Locale.ROOT, "%.4f", x);
    }

    /**
     * Text as LaTeX that prints it: every character TeX reads specially is escaped, '^' too (TeX
     * reads ^^5c as a backslash, so a name with it could write \\input{...}), and braces (a '}'
     * ended a TikZ node's text); line breaks become spaces. The comparison table and {@link
     * CdDiagram#tikz()} print names from the table with it.
     */
    static String tex(String s) {
        StringBuilder b = new StringBuilder();
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '\\' -> b.append("\\textbackslash{}");
                case '~' -> b.append("\\textasciitilde{}");
                case '^' -> b.append("\\textasciicircum{}");
                case '&', '%', '$', '#', '_', '{', '}' -> b.append('\\').append(ch);
                case '\n', '\r' -> b.append(' ');
                default -> b.append(ch);
            }
        }
        return b.toString();
    }
}
