package org.experimenter.eval;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.experimenter.ExperimenterException;

/**
 * The formats results are written in. The text formats render a {@link ResultTable} to a
 * string; Parquet is binary and written by {@link TableWriter}.
 *
 * <p>Console, Markdown and LaTeX are for people: merged columns show as {@code mean ± std} and
 * best cells are marked. CSV, JSON and Parquet are for programs: every column as it is.
 */
public enum TableFormat {
    /** An aligned plain-text table. */
    CONSOLE,
    /** Comma-separated values with a header line. */
    CSV,
    /** A GitHub-flavoured Markdown table; best cells in bold. */
    MARKDOWN,
    /** A LaTeX {@code tabular} with booktabs rules; best cells in bold. */
    LATEX,
    /** A JSON array with one object per row. */
    JSON,
    /** A Parquet file (needs an output path). */
    PARQUET;

    /** The console's and Markdown's mark of a cell not significantly worse than its row's best ({@code --test}). */
    public static final String MARK = "\u2020";

    /** Digits after the decimal point of floating-point numbers unless told otherwise. */
    public static final int DEFAULT_PRECISION = 4;

    /** Parses a format name such as {@code markdown}, ignoring case. */
    public static TableFormat parse(String name) {
        for (TableFormat f : values()) {
            if (f.name().equalsIgnoreCase(name.trim())) {
                return f;
            }
        }
        throw new ExperimenterException(
                "unknown format '" + name + "'; expected console, csv, markdown, latex, json or parquet");
    }

    /** Whether {@link #render} produces this format (all but Parquet). */
    public boolean isText() {
        return this != PARQUET;
    }

    /** Renders a table with {@link #DEFAULT_PRECISION} digits after the decimal point. */
    public String render(ResultTable t) {
        return render(t, DEFAULT_PRECISION);
    }

    /**
     * Renders a table as text.
     *
     * @param precision digits after the decimal point of floating-point numbers (not in JSON,
     *     which keeps every digit)
     */
    public String render(ResultTable t, int precision) {
        if (precision < 0 || precision > 15) {
            throw new ExperimenterException("--precision " + precision + ": expected 0 to 15 digits");
        }
        switch (this) {
            case CSV:
                return csv(t, precision);
            case JSON:
                return json(t);
            case MARKDOWN:
                return markdown(new HumanView(t, precision), t);
            case LATEX:
                return latex(new HumanView(t, precision), t);
            case CONSOLE:
                return console(new HumanView(t, precision), t);
            case PARQUET:
            default:
                throw new ExperimenterException("parquet is a binary format: give --output FILE to write it");
        }
    }

    /**
     * A table as the formats for people show it, for other renderers (the web view's HTML): the
     * shown columns (merged ones as one, machine-only ones left out), each cell's text with
     * {@code center ± spread} as the console writes it, which cells are best, which are marked by
     * a significance test ({@code --test}; underlined) and the legend saying what the mark means.
     */
    public record Shown(
            List<String> header,
            List<Boolean> numeric,
            List<List<String>> cells,
            List<List<Boolean>> best,
            String footnote,
            List<List<Boolean>> marked,
            List<String> legend) {}

    /** The table as {@link Shown}, numbers with {@code precision} digits after the decimal point. */
    public static Shown shown(ResultTable t, int precision) {
        if (precision < 0 || precision > 15) {
            throw new ExperimenterException("--precision " + precision + ": expected 0 to 15 digits");
        }
        HumanView v = new HumanView(t, precision);
        List<List<String>> cells = new ArrayList<>();
        for (List<String[]> row : v.cells) {
            List<String> line = new ArrayList<>();
            for (String[] c : row) {
                line.add(c[1] == null ? c[0] : c[0] + " ± " + c[1]);
            }
            cells.add(line);
        }
        return new Shown(
                v.header,
                v.numeric,
                cells,
                v.best,
                v.anyBest.contains(true) ? t.footnote() : null,
                v.marked,
                legend(t, "underlined: "));
    }

    /** The legend of a tested table: what the mark means (after {@code mark}), then the notes; empty untested. */
    public static List<String> legend(ResultTable t, String mark) {
        if (t.markMeaning() == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        out.add(mark + t.markMeaning());
        out.addAll(t.markNotes());
        return out;
    }

    // ---- formats for people -------------------------------------------------------------------

    /** What people see: merged columns as one, machine-only columns left out, best cells known. */
    private static final class HumanView {
        final List<String> header = new ArrayList<>();
        final List<Boolean> numeric = new ArrayList<>();
        /** Per row, per shown column: the center text and the spread text (null for none). */
        final List<List<String[]>> cells = new ArrayList<>();

        final List<List<Boolean>> best = new ArrayList<>();
        final List<Boolean> anyBest = new ArrayList<>();
        final List<List<Boolean>> marked = new ArrayList<>();
        final List<Boolean> anyMarked = new ArrayList<>();

        HumanView(ResultTable t, int precision) {
            List<int[]> shown = new ArrayList<>(); // center index, spread index or -1
            List<String> spreads = new ArrayList<>();
            for (ResultTable.Merge m : t.merges()) {
                spreads.add(m.spread);
            }
            for (int i = 0; i < t.columns().size(); i++) {
                String c = t.columns().get(i);
                if (t.machineOnly().contains(c) || spreads.contains(c)) {
                    continue;
                }
                ResultTable.Merge merge = null;
                for (ResultTable.Merge m : t.merges()) {
                    if (m.center.equals(c)) {
                        merge = m;
                    }
                }
                header.add(merge == null ? c : merge.label);
                shown.add(new int[] {i, merge == null ? -1 : t.indexOf(merge.spread)});
            }
            for (int[] s : shown) {
                boolean num = !t.rows().isEmpty();
                boolean isBest = false;
                boolean isMarked = false;
                for (int r = 0; r < t.rows().size(); r++) {
                    Object v = t.rows().get(r).get(s[0]);
                    num &= v == null || v instanceof Number;
                    isBest |= t.isBest(r, t.columns().get(s[0]));
                    isMarked |= t.isMarked(r, t.columns().get(s[0]));
                }
                numeric.add(num);
                anyBest.add(isBest);
                anyMarked.add(isMarked);
            }
            for (int r = 0; r < t.rows().size(); r++) {
                List<Object> row = t.rows().get(r);
                List<String[]> line = new ArrayList<>();
                List<Boolean> b = new ArrayList<>();
                List<Boolean> m = new ArrayList<>();
                for (int[] s : shown) {
                    Object center = row.get(s[0]);
                    Object spread = s[1] < 0 ? null : row.get(s[1]);
                    line.add(new String[] {
                        cell(center, precision), center == null || spread == null ? null : cell(spread, precision)
                    });
                    b.add(t.isBest(r, t.columns().get(s[0])));
                    m.add(t.isMarked(r, t.columns().get(s[0])));
                }
                cells.add(line);
                best.add(b);
                marked.add(m);
            }
        }
    }

    private static String console(HumanView v, ResultTable t) {
        List<List<String>> text = new ArrayList<>();
        for (int r = 0; r < v.cells.size(); r++) {
            List<String> line = new ArrayList<>();
            for (int i = 0; i < v.header.size(); i++) {
                String[] c = v.cells.get(r).get(i);
                String s = c[1] == null ? c[0] : c[0] + " ± " + c[1];
                if (v.anyBest.get(i)) {
                    s += v.best.get(r).get(i) ? "*" : " ";
                }
                if (v.anyMarked.get(i)) {
                    s += v.marked.get(r).get(i) ? MARK : " ";
                }
                line.add(s);
            }
            text.add(line);
        }
        int[] w = new int[v.header.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = v.header.get(i).length();
            for (List<String> r : text) {
                w[i] = Math.max(w[i], r.get(i).length());
            }
        }
        StringBuilder b = new StringBuilder();
        aligned(b, v.header, w, v.numeric);
        for (int i = 0; i < w.length; i++) {
            b.append(i == 0 ? "" : "  ").append("-".repeat(w[i]));
        }
        b.append("\n");
        for (List<String> r : text) {
            aligned(b, r, w, v.numeric);
        }
        b.append("(").append(text.size()).append(text.size() == 1 ? " row)\n" : " rows)\n");
        if (t.footnote() != null && v.anyBest.contains(true)) {
            b.append(t.footnote()).append("\n");
        }
        for (String line : legend(t, MARK + " ")) {
            b.append(line).append("\n");
        }
        return b.toString();
    }

    private static void aligned(StringBuilder b, List<String> r, int[] w, List<Boolean> numeric) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < w.length; i++) {
            String s = r.get(i);
            String pad = " ".repeat(w[i] - s.length());
            line.append(i == 0 ? "" : "  ").append(numeric.get(i) ? pad + s : s + pad);
        }
        b.append(line.toString().stripTrailing()).append("\n");
    }

    private static String markdown(HumanView v, ResultTable t) {
        StringBuilder b = new StringBuilder();
        List<String> header = new ArrayList<>();
        for (String h : v.header) {
            header.add(markdownCell(h));
        }
        b.append("| ").append(String.join(" | ", header)).append(" |\n|");
        for (boolean n : v.numeric) {
            b.append(n ? " ---: |" : " --- |");
        }
        b.append("\n");
        for (int r = 0; r < v.cells.size(); r++) {
            List<String> line = new ArrayList<>();
            for (int i = 0; i < v.header.size(); i++) {
                String[] c = v.cells.get(r).get(i);
                String s = markdownCell(c[1] == null ? c[0] : c[0] + " ± " + c[1]);
                s = v.best.get(r).get(i) && !s.isEmpty() ? "**" + s + "**" : s;
                line.add(v.marked.get(r).get(i) && !s.isEmpty() ? s + MARK : s);
            }
            b.append("| ").append(String.join(" | ", line)).append(" |\n");
        }
        List<String> legend = legend(t, MARK + " ");
        for (int i = 0; i < legend.size(); i++) {
            // the meaning as a paragraph under the table, the notes as a list under it
            b.append(i == 0 ? "\n" : "- ").append(markdownCell(legend.get(i))).append("\n");
        }
        return b.toString();
    }

    /** A cell's text in a Markdown table: a pipe would end the cell and a line break the row. */
    private static String markdownCell(String s) {
        return s.replace("|", "\\|")
                .replace("\r\n", "<br>")
                .replace("\n", "<br>")
                .replace("\r", "<br>");
    }

    private static String latex(HumanView v, ResultTable t) {
        StringBuilder b = new StringBuilder("\\begin{tabular}{");
        for (boolean n : v.numeric) {
            b.append(n ? "r" : "l");
        }
        b.append("}\n\\toprule\n");
        List<String> header = new ArrayList<>();
        for (String h : v.header) {
            header.add(latexEscape(h));
        }
        b.append(String.join(" & ", header)).append(" \\\\\n\\midrule\n");
        for (int r = 0; r < v.cells.size(); r++) {
            List<String> line = new ArrayList<>();
            for (int i = 0; i < v.header.size(); i++) {
                String[] c = v.cells.get(r).get(i);
                String s = latexEscape(c[0]) + (c[1] == null ? "" : " $\\pm$ " + latexEscape(c[1]));
                s = v.marked.get(r).get(i) && !s.isEmpty() ? "\\underline{" + s + "}" : s;
                line.add(v.best.get(r).get(i) && !s.isEmpty() ? "\\textbf{" + s + "}" : s);
            }
            b.append(String.join(" & ", line)).append(" \\\\\n");
        }
        b.append("\\bottomrule\n\\end{tabular}\n");
        List<String> legend = legend(t, "Underlined: ");
        if (!legend.isEmpty()) {
            List<String> escaped = new ArrayList<>();
            for (String l : legend) {
                escaped.add(latexEscape(l) + (l.endsWith(".") ? "" : "."));
            }
            b.append("\\par\\smallskip\n{\\footnotesize ")
                    .append(String.join("\n", escaped))
                    .append("\\par}\n");
        }
        return b.toString();
    }

    static String latexEscape(String s) {
        StringBuilder b = new StringBuilder();
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '\\':
                    b.append("\\textbackslash{}");
                    break;
                case '~':
                    b.append("\\textasciitilde{}");
                    break;
                case '^':
                    b.append("\\textasciicircum{}");
                    break;
                case '&':
                case '%':
                case '$':
                case '#':
                case '_':
                case '{':
                case '}':
                    b.append('\\').append(ch);
                    break;
                default:
                    b.append(ch);
            }
        }
        return b.toString();
    }

    // ---- formats for programs -----------------------------------------------------------------

    private static String csv(ResultTable t, int precision) {
        StringBuilder b = new StringBuilder(csvLine(t.columns()));
        for (List<Object> r : t.rows()) {
            List<String> line = new ArrayList<>();
            for (Object v : r) {
                line.add(cell(v, precision));
            }
            b.append(csvLine(line));
        }
        return b.toString();
    }

    private static String csvLine(List<String> r) {
        List<String> out = new ArrayList<>();
        for (String s : r) {
            boolean quote = s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r");
            out.add(quote ? "\"" + s.replace("\"", "\"\"") + "\"" : s);
        }
        return String.join(",", out) + "\n";
    }

    // decimals without an exponent, 1000 rather than 1E+3, as CSV writes them
    private static final JsonMapper JSON_MAPPER = JsonMapper.builder()
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    private static String json(ResultTable t) {
        StringWriter out = new StringWriter();
        // a generator, not a map per row: a query may name two columns alike (SELECT 1 AS a, 2 AS a)
        try (JsonGenerator g = JSON_MAPPER.createGenerator(out)) {
            g.setPrettyPrinter(new JsonLayout());
            g.writeStartArray();
            for (List<Object> row : t.rows()) {
                g.writeStartObject();
                for (int i = 0; i < t.columns().size(); i++) {
                    g.writeFieldName(t.columns().get(i));
                    writeJsonValue(g, row.get(i));
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new ExperimenterException("writing JSON to a string failed; this is a bug", e);
        }
        return out.append('\n').toString();
    }

    private static void writeJsonValue(JsonGenerator g, Object v) throws IOException {
        boolean notFinite = (v instanceof Double || v instanceof Float) && !Double.isFinite(((Number) v).doubleValue());
        if (notFinite) {
            // JSON has no NaN or Infinity; null keeps the file readable by every parser
            g.writeNull();
        } else if (v == null || v instanceof Number || v instanceof Boolean) {
            g.writeObject(v);
        } else {
            g.writeString(text(v));
        }
    }

    // ---- values -------------------------------------------------------------------------------

    static String cell(Object v, int precision) {
        if (v == null) {
            return "";
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d)) {
                return "NaN";
            }
            if (Double.isInfinite(d)) {
                return d > 0 ? "Infinity" : "-Infinity";
            }
            return String.format(Locale.ROOT, "%." + precision + "f", d);
        }
        if (v instanceof BigDecimal) {
            BigDecimal d = (BigDecimal) v;
            return d.scale() > 0
                    ? d.setScale(precision, java.math.RoundingMode.HALF_EVEN).toPlainString()
                    : d.toPlainString();
        }
        return text(v);
    }

    /** Timestamps as ISO-8601 instants (UTC); everything else as Java prints it. */
    private static String text(Object v) {
        if (v instanceof java.sql.Timestamp) {
            return ((java.sql.Timestamp) v).toInstant().toString();
        }
        return String.valueOf(v);
    }
}
