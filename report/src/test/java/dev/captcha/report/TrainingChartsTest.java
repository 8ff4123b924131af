package dev.captcha.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class TrainingChartsTest {
  static final Path OUT = Path.of("target", "charts");

  static List<TrainingCharts.Point> run(boolean groups) {
    List<TrainingCharts.Point> points = new ArrayList<>();
    for (int i = 1; i <= 30; i++) {
      double error = 0.5 * Math.pow(0.8, i);
      Map<String, Double> g =
          groups ? Map.of("training fonts", 1 - error, "held-out fonts", 1 - 3 * error) : Map.of();
      points.add(
          new TrainingCharts.Point(
              500 * i,
              300.0 * i,
              1e-3 * Math.cos(i / 20.0),
              2.0 * Math.pow(0.85, i),
              1 - error / 4,
              i == 30 ? 1.0 : 1 - error,
              1 - error / 4,
              g));
    }
    return points;
  }

  @Test
  void writesPngAndSvgOfTheFourPanels() throws Exception {
    Files.createDirectories(OUT);
    Path png = OUT.resolve("training.png");
    Path svg = OUT.resolve("training.svg");
    TrainingCharts.write(run(true), png, svg);
    BufferedImage image = ImageIO.read(png.toFile());
    assertEquals(2 * TrainingCharts.CELL_WIDTH, image.getWidth());
    assertEquals(2 * TrainingCharts.CELL_HEIGHT, image.getHeight());
    Document doc = parse(svg);
    assertEquals("svg", doc.getDocumentElement().getNodeName());
    assertTrue(
        doc.getElementsByTagName("path").getLength() > 100, "the panels are drawn as vector paths");
  }

  /** Parses an SVG file without fetching its DTD. */
  static Document parse(Path svg) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    return f.newDocumentBuilder().parse(svg.toFile());
  }

  @Test
  void aRunWithoutGroupsOrWithZeroErrorStillDraws() throws Exception {
    Files.createDirectories(OUT);
    TrainingCharts.write(run(false).subList(29, 30), OUT.resolve("single.png"), null);
    assertTrue(Files.size(OUT.resolve("single.png")) > 0);
  }

  @Test
  void refusesAnEmptyRun() {
    assertThrows(
        IllegalArgumentException.class,
        () -> TrainingCharts.write(List.of(), OUT.resolve("x.png"), null));
  }
}
