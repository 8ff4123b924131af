package dev.captcha.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.captcha.model.Candidate;
import dev.captcha.model.Prediction;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationReportTest {

  static Prediction prediction(String text, float... probabilities) {
    List<List<Candidate>> positions = new ArrayList<>();
    float confidence = 1;
    for (int i = 0; i < text.length(); i++) {
      float p = probabilities[i];
      confidence *= p;
      String other = text.charAt(i) == 'o' ? "0" : "o";
      positions.add(
          List.of(new Candidate(String.valueOf(text.charAt(i)), p), new Candidate(other, 1 - p)));
    }
    return new Prediction(text, confidence, positions);
  }

  static EvaluationReport.Picture png(Color colour) throws IOException {
    BufferedImage image = new BufferedImage(128, 64, BufferedImage.TYPE_INT_RGB);
    var g = image.createGraphics();
    g.setColor(colour);
    g.fillRect(0, 0, 128, 64);
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return new EvaluationReport.Picture(out.toByteArray(), "png");
  }

  /** A report of 200 captchas, 5 misread, two of them with a name that needs escaping. */
  static EvaluationReport sample() throws IOException {
    EvaluationReport r = new EvaluationReport();
    AtomicInteger reads = new AtomicInteger();
    for (int i = 0; i < 195; i++) {
      r.add(
          "#" + i,
          "ab12",
          prediction("ab12", 0.99f, 0.999f, 0.98f, 1f),
          List.of("Lato", "Lato", "Roboto", "Lato"),
          () -> {
            reads.incrementAndGet();
            return png(Color.GRAY);
          });
    }
    assertEquals(0, reads.get(), "the image of a captcha read correctly is never read");
    r.add(
        "<b>&1",
        "lo0O",
        prediction("Io0o", 0.6f, 0.9f, 0.9f, 0.8f),
        List.of("Open Sans", "Lato", "Lato", "Lato"),
        () -> png(Color.RED));
    r.add(
        "x\"y",
        "abcd",
        prediction("abce", 0.99f, 0.99f, 0.99f, 0.97f),
        List.of(),
        () -> png(Color.BLUE));
    r.add(
        "#197",
        "t1aa",
        prediction("f1oa", 0.5f, 0.99f, 0.4f, 0.99f),
        List.of("Comic Neue", "Lato", "Comic Neue", "Lato"),
        () -> png(Color.GREEN));
    r.add("#198", "WXYZ", prediction("WXY", 0.9f, 0.9f, 0.9f), List.of(), () -> png(Color.ORANGE));
    r.add(
        "#199",
        "aaaa",
        prediction("aaao", 0.9f, 0.9f, 0.9f, 0.3f),
        List.of(),
        () -> png(Color.CYAN));
    return r;
  }

  @Test
  void writesThePageTheChartsAndOneImagePerMisreadCaptchaMostConfidentFirst(@TempDir Path dir)
      throws Exception {
    EvaluationReport r = sample();
    assertEquals(5, r.misreadCount());
    Path page =
        r.write(
            dir,
            "Evaluation <test>",
            EvaluationReport.facts("model", "m 1.0", "data", "200 captchas"));
    String html = Files.readString(page, StandardCharsets.UTF_8);
    assertTrue(html.contains("<title>Evaluation &lt;test&gt;</title>"));
    assertTrue(html.contains("&lt;b&gt;&amp;1"), "names are escaped");
    assertTrue(html.contains("x&quot;y"));
    assertFalse(html.contains("<b>&1"));
    assertTrue(html.contains("97.50%"), "exact 195/200");
    assertTrue(
        html.contains("Comic Neue") && html.contains("By font"),
        "per-font table when fonts are known");
    assertFalse(
        html.contains("http://") || html.contains("https://"),
        "nothing is fetched from the network");
    assertTrue(Files.size(dir.resolve("confusions.png")) > 0);
    assertTrue(Files.size(dir.resolve("reliability.png")) > 0);
    try (Stream<Path> images = Files.list(dir.resolve("misread"))) {
      assertEquals(5, images.count());
    }
    // abce (0.94) is the most confident mistake; its image is the blue one and comes first.
    assertEquals(
        Color.BLUE.getRGB(), ImageIO.read(dir.resolve("misread/0001.png").toFile()).getRGB(5, 5));
    assertTrue(html.indexOf("misread/0001.png") < html.indexOf("misread/0005.png"));
  }

  @Test
  void aSecondReportInTheSameFolderLeavesNoImagesOfTheFirst(@TempDir Path dir) throws Exception {
    sample().write(dir, "first", EvaluationReport.facts());
    EvaluationReport r = new EvaluationReport();
    r.add("#0", "abcd", prediction("abcd", 1f, 1f, 1f, 1f), List.of(), () -> png(Color.GRAY));
    r.write(dir, "second", EvaluationReport.facts());
    try (Stream<Path> images = Files.list(dir.resolve("misread"))) {
      assertEquals(0, images.count());
    }
    assertFalse(Files.exists(dir.resolve("confusions.png")));
  }

  @Test
  void refusesAnImageTypeBrowsersDoNotShow() {
    assertThrows(
        IllegalArgumentException.class, () -> new EvaluationReport.Picture(new byte[1], "tiff"));
  }

  @Test
  void binsCoverZeroToOne() {
    assertEquals(0, EvaluationReport.bin(0.0));
    assertEquals(EvaluationReport.BIN_EDGES.length - 1, EvaluationReport.bin(1.0));
    assertEquals(EvaluationReport.BIN_EDGES.length - 1, EvaluationReport.bin(0.9995));
    assertEquals(EvaluationReport.BIN_EDGES.length - 2, EvaluationReport.bin(0.998));
  }
}
