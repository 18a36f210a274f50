package org.experimenter.eval.stats;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.experimenter.ExperimenterException;

/**
 * A critical-difference diagram as in Demšar (2006), Figure 1: an axis of average ranks (1, the best, at the left),
 * each method joined to its rank, the better half labelled on the left and the rest on the right, thick bars joining
 * groups of methods whose ranks differ by less than the Nemenyi critical difference, and that difference drawn to
 * scale above the axis with its alpha. One layout of lines and texts is written as SVG, TikZ or PNG, so the three
 * agree.
 */
public final class CdDiagram {
    /** The axis's length, and the least room beside it for the labels. */
    private static final double AXIS_LENGTH = 320;

    private static final double MIN_MARGIN = 160;
    /** The labels' font, measured to leave them room (with a twentieth more for other sans-serif fonts). */
    private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

    private static final double AXIS_Y = 60;
    private static final double GROUP_STEP = 7;
    private static final double ROW_STEP = 20;

    /** A line from (x1, y1) to (x2, y2), in pixels from the top left; width in pixels. */
    record Line(double x1, double y1, double x2, double y2, double width) {}

    /** A text with its anchor: "start", "middle" or "end" of the text at x; y is the baseline. */
    record Text(double x, double y, String anchor, String text) {}

    private final List<Line> lines = new ArrayList<>();
    private final List<Text> texts = new ArrayList<>();
    private final double height;
    private final double width;
    private final double axisLeft;
    private final double axisRight;

    private CdDiagram(List<String> methods, double[] ranks, double cd, double alpha) {
        int k = methods.size();
        List<Integer> order = new ArrayList<>();
        for (int j = 0; j < k; j++) {
            order.add(j);
        }
        order.sort((a, b) -> Double.compare(ranks[a], ranks[b]));
        int left = (k + 1) / 2;
        // room beside the axis for the longest label of each side, so that no name is cut at the edge
        double leftLabels = 0;
        double rightLabels = 0;
        for (int i = 0; i < k; i++) {
            int j = order.get(i);
            double w = 1.05 * textWidth(label(methods.get(j), ranks[j]));
            if (i < left) {
                leftLabels = Math.max(leftLabels, w);
            } else {
                rightLabels = Math.max(rightLabels, w);
            }
        }
        axisLeft = Math.max(MIN_MARGIN, leftLabels + 30);
        axisRight = axisLeft + AXIS_LENGTH;
        width = axisRight + Math.max(MIN_MARGIN, rightLabels + 30);

        lines.add(new Line(x(1, k), AXIS_Y, x(k, k), AXIS_Y, 1));
        for (int r = 1; r <= k; r++) {
            lines.add(new Line(x(r, k), AXIS_Y - 5, x(r, k), AXIS_Y, 1));
            texts.add(new Text(x(r, k), AXIS_Y - 8, "middle", String.valueOf(r)));
        }
        double cdEnd = Math.min(x(1 + cd, k), x(k, k));
        lines.add(new Line(x(1, k), 20, cdEnd, 20, 1));
        lines.add(new Line(x(1, k), 15, x(1, k), 25, 1));
        lines.add(new Line(cdEnd, 15, cdEnd, 25, 1));
        texts.add(new Text((x(1, k) + cdEnd) / 2, 12, "middle", "CD = " + f(cd) + " (alpha " + alpha + ")"));

        List<int[]> groups = groups(order, ranks, cd);
        for (int g = 0; g < groups.size(); g++) {
            double y = AXIS_Y + 10 + g * GROUP_STEP;
            int[] span = groups.get(g);
            lines.add(new Line(x(ranks[order.get(span[0])], k) - 4, y, x(ranks[order.get(span[1])], k) + 4, y, 3));
        }
        double top = AXIS_Y + 20 + groups.size() * GROUP_STEP;
        for (int i = 0; i < k; i++) {
            int j = order.get(i);
            boolean onLeft = i < left;
            int row = onLeft ? i : k - 1 - i;
            double y = top + row * ROW_STEP;
            double xr = x(ranks[j], k);
            double edge = onLeft ? axisLeft - 20 : axisRight + 20;
            lines.add(new Line(xr, AXIS_Y, xr, y, 1));
            lines.add(new Line(xr, y, edge, y, 1));
            texts.add(new Text(
                    onLeft ? edge - 5 : edge + 5, y + 4, onLeft ? "end" : "start", label(methods.get(j), ranks[j])));
        }
        height = top + Math.max(left, k - left) * ROW_STEP + 5;
    }

    /** The diagram of a comparison: its methods, average ranks and Nemenyi critical difference. */
    public static CdDiagram of(MethodComparison c) {
        return new CdDiagram(c.methods(), c.friedman().averageRanks(), c.nemenyi(), c.alpha());
    }

    /**
     * The maximal runs (first, last index into the rank order) of at least two methods whose extreme ranks differ by
     * less than cd: the cliques the thick bars show.
     */
    static List<int[]> groups(List<Integer> order, double[] ranks, double cd) {
        List<int[]> out = new ArrayList<>();
        int lastEnd = -1;
        for (int i = 0; i < order.size(); i++) {
            int j = i;
            while (j + 1 < order.size() && ranks[order.get(j + 1)] - ranks[order.get(i)] < cd) {
                j++;
            }
            // a run inside the previous one says nothing new
            if (j > i && j > lastEnd) {
                out.add(new int[] {i, j});
                lastEnd = j;
            }
        }
        return out;
    }

    /** Writes the diagram; the file's extension chooses the format: .svg, .png or .tex (TikZ). */
    public void write(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".svg")) {
            Files.writeString(file, svg(), StandardCharsets.UTF_8);
        } else if (name.endsWith(".tex")) {
            Files.writeString(file, tikz(), StandardCharsets.UTF_8);
        } else if (name.endsWith(".png")) {
            ImageIO.write(png(), "png", file.toFile());
        } else {
            throw new ExperimenterException(
                    "--cd-diagram " + file + ": expected a file ending .svg, .png or .tex (TikZ)");
        }
    }

    /** Checks a --cd-diagram file name before any work is done. */
    public static void checkName(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!(name.endsWith(".svg") || name.endsWith(".png") || name.endsWith(".tex"))) {
            throw new ExperimenterException(
                    "--cd-diagram " + file + ": expected a file ending .svg, .png or .tex (TikZ)");
        }
    }

    public String svg() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\""
                        + " font-family=\"sans-serif\" font-size=\"12\">\n",
                width,
                height,
                width,
                height));
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        for (Line l : lines) {
            s.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\" stroke-width=\"%.0f\"/>\n",
                    l.x1(),
                    l.y1(),
                    l.x2(),
                    l.y2(),
                    l.width()));
        }
        for (Text t : texts) {
            s.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>\n",
                    t.x(),
                    t.y(),
                    t.anchor(),
                    xml(t.text())));
        }
        return s.append("</svg>\n").toString();
    }

    /** TikZ in the diagram's pixels scaled to 0.02 cm each (a 640-pixel diagram is 12.8 cm wide); y points down. */
    public String tikz() {
        StringBuilder s = new StringBuilder("\\begin{tikzpicture}[x=0.02cm, y=-0.02cm, font=\\small]\n");
        for (Line l : lines) {
            s.append(String.format(
                    Locale.ROOT,
                    "\\draw[line width=%.1fpt] (%.1f,%.1f) -- (%.1f,%.1f);\n",
                    l.width() * 0.6,
                    l.x1(),
                    l.y1(),
                    l.x2(),
                    l.y2()));
        }
        for (Text t : texts) {
            String anchor = switch (t.anchor()) {
                case "start" -> "base west";
                case "end" -> "base east";
                default -> "base";
            };
            s.append(String.format(
                    Locale.ROOT, "\\node[anchor=%s] at (%.1f,%.1f) {%s};\n", anchor, t.x(), t.y(), tex(t.text())));
        }
        return s.append("\\end{tikzpicture}\n").toString();
    }

    /** The diagram drawn with Java2D at twice the pixel size, for screens and slides. */
    public BufferedImage png() {
        int scale = 2;
        BufferedImage img =
                new BufferedImage((int) (width * scale), (int) Math.ceil(height * scale), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            g.scale(scale, scale);
            g.setColor(Color.BLACK);
            for (Line l : lines) {
                g.setStroke(new BasicStroke((float) l.width()));
                g.draw(new java.awt.geom.Line2D.Double(l.x1(), l.y1(), l.x2(), l.y2()));
            }
            g.setFont(FONT);
            for (Text t : texts) {
                double w = g.getFontMetrics().stringWidth(t.text());
                double x = switch (t.anchor()) {
                    case "start" -> t.x();
                    case "end" -> t.x() - w;
                    default -> t.x() - w / 2;
                };
                g.drawString(t.text(), (float) x, (float) t.y());
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    List<Line> lines() {
        return lines;
    }

    List<Text> texts() {
        return texts;
    }

    private static double textWidth(String text) {
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        try {
            return g.getFontMetrics(FONT).stringWidth(text);
        } finally {
            g.dispose();
        }
    }

    private static String label(String method, double rank) {
        return method + " (" + f(rank) + ")";
    }

    /** The diagram's width in pixels: the axis and the room its labels need. */
    double width() {
        return width;
    }

    private double x(double rank, int k) {
        return axisLeft + (rank - 1) / (k - 1) * (axisRight - axisLeft);
    }

    private static String f(double x) {
        return String.format(Locale.ROOT, "%.3f", x);
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String tex(String s) {
        return ComparisonFormat.tex(s);
    }
}
