package org.experimenter.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.experimenter.ExperimenterException;

/** Renders a {@link ResultTable} as an aligned console table, CSV, Markdown or LaTeX (booktabs). */
public enum TableFormat {
  CONSOLE,
  CSV,
  MARKDOWN,
  LATEX;

  public static TableFormat parse(String name) {
    for (TableFormat f : values()) {
      if (f.name().equalsIgnoreCase(name)) {
        return f;
      }
    }
    throw new ExperimenterException("unknown format '" + name + "'; expected console, csv, markdown or latex");
  }

  public String render(ResultTable t) {
    List<String> header = t.columns();
    List<List<String>> cells = new ArrayList<>();
    for (List<Object> r : t.rows()) {
      List<String> row = new ArrayList<>();
      for (Object v : r) {
        row.add(cell(v));
      }
      cells.add(row);
    }
    StringBuilder b = new StringBuilder();
    switch (this) {
      case CSV:
        b.append(csvLine(header));
        for (List<String> r : cells) {
          b.append(csvLine(r));
        }
        return b.toString();
      case MARKDOWN:
        b.append("| ").append(String.join(" | ", escape(header, "|", "\\|"))).append(" |\n");
        b.append("|");
        for (int i = 0; i < header.size(); i++) {
          b.append(numeric(t, i) ? " ---: |" : " --- |");
        }
        b.append("\n");
        for (List<String> r : cells) {
          b.append("| ").append(String.join(" | ", escape(r, "|", "\\|"))).append(" |\n");
        }
        return b.toString();
      case LATEX:
        b.append("\\begin{tabular}{");
        for (int i = 0; i < header.size(); i++) {
          b.append(numeric(t, i) ? "r" : "l");
        }
        b.append("}\n\\toprule\n");
        b.append(String.join(" & ", latex(header))).append(" \\\\\n\\midrule\n");
        for (List<String> r : cells) {
          b.append(String.join(" & ", latex(r))).append(" \\\\\n");
        }
        b.append("\\bottomrule\n\\end{tabular}\n");
        return b.toString();
      case CONSOLE:
      default:
        int[] w = new int[header.size()];
        for (int i = 0; i < w.length; i++) {
          w[i] = header.get(i).length();
          for (List<String> r : cells) {
            w[i] = Math.max(w[i], r.get(i).length());
          }
        }
        appendAligned(b, header, w, t);
        for (int i = 0; i < w.length; i++) {
          b.append(i == 0 ? "" : "  ").append("-".repeat(w[i]));
        }
        b.append("\n");
        for (List<String> r : cells) {
          appendAligned(b, r, w, t);
        }
        b.append("(").append(cells.size()).append(cells.size() == 1 ? " row)\n" : " rows)\n");
        return b.toString();
    }
  }

  private static void appendAligned(StringBuilder b, List<String> r, int[] w, ResultTable t) {
    for (int i = 0; i < w.length; i++) {
      String s = r.get(i);
      String pad = " ".repeat(w[i] - s.length());
      b.append(i == 0 ? "" : "  ").append(numeric(t, i) ? pad + s : s + pad);
    }
    b.append("\n");
  }

  private static boolean numeric(ResultTable t, int col) {
    for (List<Object> r : t.rows()) {
      Object v = r.get(col);
      if (v != null && !(v instanceof Number)) {
        return false;
      }
    }
    return !t.rows().isEmpty();
  }

  static String cell(Object v) {
    if (v == null) {
      return "";
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isNaN(d)) {
        return "NaN";
      }
      return String.format(Locale.ROOT, "%.4f", d);
    }
    return String.valueOf(v);
  }

  private static String csvLine(List<String> r) {
    List<String> out = new ArrayList<>();
    for (String s : r) {
      out.add(s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s);
    }
    return String.join(",", out) + "\n";
  }

  private static List<String> escape(List<String> r, String what, String with) {
    List<String> out = new ArrayList<>();
    for (String s : r) {
      out.add(s.replace(what, with));
    }
    return out;
  }

  private static List<String> latex(List<String> r) {
    List<String> out = new ArrayList<>();
    for (String s : r) {
      out.add(
          s.replace("\\", "\\textbackslash{}")
              .replace("&", "\\&")
              .replace("%", "\\%")
              .replace("$", "\\$")
              .replace("#", "\\#")
              .replace("_", "\\_")
              .replace("{", "\\{")
              .replace("}", "\\}"));
    }
    return out;
  }
}
