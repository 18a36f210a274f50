package org.experimenter.eval.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.experimenter.ExperimenterException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** The critical-difference diagram of Demšar's Table 6, at alpha 0.10 (CD 1.118). */
class CdDiagramTest {
    @TempDir
    Path dir;

    static MethodComparison table6(double alpha) {
        return MethodComparison.of(
                MethodComparisonTest.datasets(14),
                MethodComparisonTest.METHODS,
                DemsarTableTest.table6(0.975),
                alpha,
                false,
                -1);
    }

    @Test
    void atTenPercentTheBarsJoinTheThreeBestAndTheTwoWorst() {
        // ranks 1.929 (C4.5+m+cf), 2.000, 2.929, 3.143: 3.143 - 1.929 = 1.214 >= 1.118, 3.143 - 2.000 = 1.143 too
        CdDiagram d = CdDiagram.of(table6(0.10));
        List<CdDiagram.Line> bars =
                d.lines().stream().filter(l -> l.width() == 3).toList();
        assertEquals(2, bars.size());
        assertEquals(x(1.9286) - 4, bars.get(0).x1(), 0.05);
        assertEquals(x(2.9286) + 4, bars.get(0).x2(), 0.05);
        assertEquals(x(2.9286) - 4, bars.get(1).x1(), 0.05);
        assertEquals(x(3.1429) + 4, bars.get(1).x2(), 0.05);
        // the CD drawn to scale: the bar at the top from rank 1 to rank 1 + CD
        CdDiagram.Line cd = d.lines().stream()
                .filter(l -> l.y1() == 20 && l.y2() == 20)
                .findFirst()
                .orElseThrow();
        assertEquals(1.118 / 3 * 320, cd.x2() - cd.x1(), 0.1);
        assertTrue(d.texts().stream().anyMatch(t -> t.text().equals("CD = 1.118 (alpha 0.1)")));
        // the better half labelled left of the axis, with its rank
        assertTrue(d.texts().stream()
                .anyMatch(
                        t -> t.text().equals("C4.5+m+cf (1.929)") && t.anchor().equals("end")));
        assertTrue(d.texts().stream()
                .anyMatch(t -> t.text().equals("C4.5 (3.143)") && t.anchor().equals("start")));
    }

    @Test
    void atFivePercentOneBarJoinsAll() {
        CdDiagram d = CdDiagram.of(table6(0.05));
        assertEquals(1, d.lines().stream().filter(l -> l.width() == 3).count());
    }

    @Test
    void svgParsesAsXmlPngDecodesAndTikzDrawsTheSameLines() throws Exception {
        CdDiagram d = CdDiagram.of(table6(0.10));
        Document svg = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(new ByteArrayInputStream(d.svg().getBytes(StandardCharsets.UTF_8)));
        assertEquals(d.lines().size(), svg.getElementsByTagName("line").getLength());
        assertEquals(d.texts().size(), svg.getElementsByTagName("text").getLength());
        String tikz = d.tikz();
        assertEquals(d.lines().size(), tikz.split("\\\\draw").length - 1);
        assertTrue(tikz.contains("\\node[anchor=base east]"), tikz);

        Path png = dir.resolve("cd.png");
        d.write(png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(1280, img.getWidth());
        // a pixel on the thick bar under the axis is black, one far from any line is white
        CdDiagram.Line bar =
                d.lines().stream().filter(l -> l.width() == 3).findFirst().orElseThrow();
        int mid = (int) ((bar.x1() + bar.x2()) / 2 * 2);
        assertEquals(0x000000, img.getRGB(mid, (int) (bar.y1() * 2)) & 0xffffff);
        assertEquals(0xffffff, img.getRGB(5, 5) & 0xffffff);

        assertThrows(ExperimenterException.class, () -> d.write(dir.resolve("cd.pdf")));
    }

    @Test
    void longMethodNamesWidenTheDiagramSoNoLabelIsCutAtAnEdge() {
        List<String> methods = List.of(
                "a-random-forest-with-five-hundred-trees",
                "b",
                "c-gradient-boosting-with-early-stopping",
                "d-k-nearest-neighbours-over-scaled-features");
        CdDiagram d = CdDiagram.of(MethodComparison.of(
                MethodComparisonTest.datasets(14), methods, DemsarTableTest.table6(0.975), 0.10, false, -1));
        assertTrue(d.width() > 640, "wider than the 640 pixels of short names: " + d.width());
        java.awt.image.BufferedImage probe = new java.awt.image.BufferedImage(1, 1, 1);
        java.awt.FontMetrics m = probe.createGraphics()
                .getFontMetrics(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 12));
        for (CdDiagram.Text t : d.texts()) {
            double w = m.stringWidth(t.text());
            double from = switch (t.anchor()) {
                case "start" -> t.x();
                case "end" -> t.x() - w;
                default -> t.x() - w / 2;
            };
            assertTrue(from >= 0 && from + w <= d.width(), t + " lies within 0.." + d.width());
        }
        assertTrue(d.svg().contains("width=\"" + Math.round(d.width()) + "\""), "the SVG is as wide");
    }

    private static double x(double rank) {
        return 160 + (rank - 1) / 3 * 320;
    }
}
