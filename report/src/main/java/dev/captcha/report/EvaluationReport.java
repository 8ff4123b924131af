package dev.captcha.report;

import dev.captcha.model.Candidate;
import dev.captcha.model.Prediction;
import dev.captcha.model.Tally;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Collects an evaluation's readings and writes it as an HTML page people can read offline: the
 * accuracy table (exact, case-folded, look-alikes merged, per character, per font when known), a
 * heat map of the characters that were misread, accuracy against confidence, and a gallery of every
 * misread captcha sorted by confidence. The one report writer of training and the client. Mutable,
 * used from one thread.
 *
 * <p>Only misread captchas keep their image, so a large evaluation costs little memory.
 */
public final class EvaluationReport {

  /** An encoded image and its file extension (png, jpg, gif or bmp). */
  public record Picture(byte[] bytes, String extension) {
    public Picture {
      Objects.requireNonNull(bytes, "bytes");
      if (!extension.matches("(?i)png|jpe?g|gif|bmp")) {
        throw new IllegalArgumentException("not an image extension a browser shows: " + extension);
      }
      extension = extension.toLowerCase(Locale.ROOT);
    }
  }

  /** Reads a captcha's image; called only for captchas that were misread. */
  @FunctionalInterface
  public interface PictureSource {
    Picture read() throws IOException;
  }

  /** One misread captcha as shown in the gallery. */
  record Misread(
      String name, String truth, Prediction prediction, List<String> fonts, Picture picture) {}

  /** Upper edges of the confidence bins of the reliability chart; the last bin ends at 1. */
  static final double[] BIN_EDGES = {0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 1.0};

  private final Tally tally = new Tally();
  private final List<Misread> misread = new ArrayList<>();
  private final Map<String, long[]> fonts = new TreeMap<>();
  private final long[] binImages = new long[BIN_EDGES.length];
  private final long[] binExact = new long[BIN_EDGES.length];
  private final double[] binConfidence = new double[BIN_EDGES.length];

  /**
   * Records one reading.
   *
   * @param name what the captcha is called (a file name, "#17")
   * @param truth its true text
   * @param prediction the model's answer with per-position candidates and confidence
   * @param glyphFonts the font family of each character, when known (else empty)
   * @param picture reads the image; called only when the captcha was misread
   */
  public void add(
      String name,
      String truth,
      Prediction prediction,
      List<String> glyphFonts,
      PictureSource picture)
      throws IOException {
    Objects.requireNonNull(truth, "truth");
    Objects.requireNonNull(prediction, "prediction");
    tally.add(truth, prediction.text());
    boolean exact = truth.equals(prediction.text());
    int bin = bin(prediction.confidence());
    binImages[bin]++;
    binConfidence[bin] += prediction.confidence();
    if (exact) {
      binExact[bin]++;
    }
    List<String> fontList = glyphFonts == null ? List.of() : List.copyOf(glyphFonts);
    if (!fontList.isEmpty() && fontList.size() == truth.length()) {
      String text = prediction.text();
      for (int i = 0; i < fontList.size(); i++) {
        long[] f = fonts.computeIfAbsent(fontList.get(i), k -> new long[4]);
        f[0]++;
        if (i < text.length() && text.charAt(i) == truth.charAt(i)) {
          f[1]++;
        }
      }
      for (String family : fontList.stream().distinct().toList()) {
        long[] f = fonts.get(family);
        f[2]++;
        if (exact) {
          f[3]++;
        }
      }
    }
    if (!exact) {
      misread.add(new Misread(name, truth, prediction, fontList, picture.read()));
    }
  }

  /** The accuracy so far. */
  public Tally tally() {
    return tally;
  }

  /** Captchas misread so far. */
  public int misreadCount() {
    return misread.size();
  }

  static int bin(double confidence) {
    for (int i = 0; i < BIN_EDGES.length - 1; i++) {
      if (confidence < BIN_EDGES[i]) {
        return i;
      }
    }
    return BIN_EDGES.length - 1;
  }

  /**
   * Writes {@code index.html}, its charts and the misread images into {@code dir} (created if
   * missing; files of an earlier report there are replaced).
   *
   * @param title the page's heading
   * @param facts what was evaluated, shown under the heading in order (model, data, ...)
   * @return the page
   */
  public Path write(Path dir, String title, Map<String, String> facts) throws IOException {
    Files.createDirectories(dir);
    Path images = dir.resolve("misread");
    Files.createDirectories(images);
    try (var old = Files.list(images)) {
      for (Path f : (Iterable<Path>) old::iterator) {
        if (f.getFileName().toString().matches("\\d{4,}\\.(png|jpe?g|gif|bmp)")) {
          Files.delete(f);
        }
      }
    }
    List<Misread> gallery = new ArrayList<>(misread);
    gallery.sort(
        Comparator.comparingDouble((Misread m) -> m.prediction().confidence())
            .reversed()
            .thenComparing(Misread::name));
    List<String> files = new ArrayList<>();
    for (int i = 0; i < gallery.size(); i++) {
      Misread m = gallery.get(i);
      String file = String.format(Locale.ROOT, "%04d.%s", i + 1, m.picture().extension());
      Files.write(images.resolve(file), m.picture().bytes());
      files.add("misread/" + file);
    }
    List<Tally.Confusion> confusions = tally.topConfusions(Integer.MAX_VALUE);
    boolean heatMap = !confusions.isEmpty();
    if (heatMap) {
      ReportCharts.confusionHeatMap(confusions).writePng(dir.resolve("confusions.png"));
    } else {
      Files.deleteIfExists(dir.resolve("confusions.png"));
    }
    ReportCharts.reliability(BIN_EDGES, binImages, binExact, binConfidence)
        .writePng(dir.resolve("reliability.png"));
    Path page = dir.resolve("index.html");
    Files.writeString(
        page, html(title, facts, confusions, heatMap, gallery, files), StandardCharsets.UTF_8);
    return page;
  }

  private String html(
      String title,
      Map<String, String> facts,
      List<Tally.Confusion> confusions,
      boolean heatMap,
      List<Misread> gallery,
      List<String> files) {
    Html h = new Html();
    h.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
        .text(title)
        .raw("</title>\n<style>\n")
        .raw(CSS)
        .raw("</style>\n</head>\n<body>\n<h1>")
        .text(title)
        .raw("</h1>\n");
    h.raw("<table class=\"facts\">\n");
    for (Map.Entry<String, String> e : facts.entrySet()) {
      h.raw("<tr><th>").text(e.getKey()).raw("</th><td>").text(e.getValue()).raw("</td></tr>\n");
    }
    h.raw("</table>\n");

    h.raw(
        "<h2>Accuracy</h2>\n<table class=\"numbers\">\n<tr><th>measure</th><th>accuracy</th><th>correct</th><th>of</th></tr>\n");
    row(h, "exact (whole captcha, case-sensitive)", tally.exact(), tally.images());
    row(h, "case-folded", tally.caseFolded(), tally.images());
    row(h, "case-folded, look-alikes {0,O,o} and {1,l,I} merged", tally.merged(), tally.images());
    row(h, "per character", tally.characterHits(), tally.characters());
    h.raw("</table>\n");
    if (tally.lengthMismatches() > 0) {
      h.raw("<p>").text(tally.lengthMismatches() + " answers had the wrong length.").raw("</p>\n");
    }

    if (!fonts.isEmpty()) {
      h.raw(
          "<h2>By font</h2>\n<p>Each character is drawn in its own font; a captcha counts for every font it uses.</p>\n");
      h.raw(
          "<table class=\"numbers\">\n<tr><th>font</th><th>per character</th><th>characters</th>"
              + "<th>exact, captchas using it</th><th>captchas</th></tr>\n");
      for (Map.Entry<String, long[]> e : fonts.entrySet()) {
        long[] f = e.getValue();
        h.raw("<tr><td>")
            .text(e.getKey())
            .raw("</td><td>")
            .text(pct(f[1], f[0]))
            .raw("</td><td>")
            .text(count(f[0]))
            .raw("</td><td>")
            .text(pct(f[3], f[2]))
            .raw("</td><td>")
            .text(count(f[2]))
            .raw("</td></tr>\n");
      }
      h.raw("</table>\n");
    }

    h.raw("<h2>Misread characters</h2>\n");
    if (heatMap) {
      h.raw(
          "<p>True character (row) against the character read (column), over answers of the right length.</p>\n");
      h.raw(
          "<img class=\"chart\" src=\"confusions.png\" alt=\"heat map of misread characters\">\n");
    } else {
      h.raw("<p>None.</p>\n");
    }

    h.raw(
        "<h2>Accuracy against confidence</h2>\n<p>Confidence is the product over positions of the most "
            + "probable character's probability. A well-calibrated model's accuracy in each bin matches the bin's mean "
            + "confidence.</p>\n<img class=\"chart\" src=\"reliability.png\" alt=\"accuracy against confidence\">\n");
    h.raw(
        "<table class=\"numbers\">\n<tr><th>confidence</th><th>captchas</th><th>exact</th><th>mean confidence</th></tr>\n");
    for (int i = 0; i < BIN_EDGES.length; i++) {
      if (binImages[i] == 0) {
        continue;
      }
      h.raw("<tr><td>")
          .text(ReportCharts.binLabel(BIN_EDGES, i))
          .raw("</td><td>")
          .text(count(binImages[i]))
          .raw("</td><td>")
          .text(pct(binExact[i], binImages[i]))
          .raw("</td><td>")
          .text(String.format(Locale.ROOT, "%.4f", binConfidence[i] / binImages[i]))
          .raw("</td></tr>\n");
    }
    h.raw("</table>\n");

    h.raw("<h2>Misread captchas (").text(count(gallery.size())).raw(")</h2>\n");
    h.raw(
        "<p>Most confident first. Under each character of the answer: its top candidates and their probabilities;"
            + " wrong characters are marked.</p>\n<div class=\"gallery\">\n");
    for (int i = 0; i < gallery.size(); i++) {
      card(h, gallery.get(i), files.get(i));
    }
    h.raw("</div>\n</body>\n</html>\n");
    return h.toString();
  }

  private static void card(Html h, Misread m, String file) {
    String truth = m.truth();
    Prediction p = m.prediction();
    h.raw("<figure class=\"card\">\n<img class=\"captcha\" src=\"")
        .attr(file)
        .raw("\" alt=\"captcha ")
        .attr(truth)
        .raw("\">\n<figcaption>\n<div class=\"name\">")
        .text(m.name())
        .raw("</div>\n");
    h.raw("<div>truth <span class=\"text\">").text(truth).raw("</span></div>\n");
    h.raw("<div>read <span class=\"text\">");
    String read = p.text();
    int[] t = truth.codePoints().toArray();
    int[] r = read.codePoints().toArray();
    for (int i = 0; i < r.length; i++) {
      String c = Character.toString(r[i]);
      if (i < t.length && t[i] == r[i]) {
        h.text(c);
      } else {
        h.raw("<mark>").text(c).raw("</mark>");
      }
    }
    h.raw("</span> confidence ")
        .text(String.format(Locale.ROOT, "%.3f", p.confidence()))
        .raw("</div>\n");
    h.raw("<table class=\"candidates\"><tr>");
    for (int i = 0; i < p.positions().size(); i++) {
      h.raw("<td>");
      List<Candidate> cands = p.positions().get(i);
      for (Candidate c : cands) {
        boolean right = i < t.length && c.character().equals(Character.toString(t[i]));
        h.raw(right ? "<div class=\"right\">" : "<div>")
            .raw("<span class=\"text\">")
            .text(c.character())
            .raw("</span> ")
            .text(String.format(Locale.ROOT, "%.3f", c.probability()))
            .raw("</div>");
      }
      if (i < m.fonts().size()) {
        h.raw("<div class=\"font\">").text(m.fonts().get(i)).raw("</div>");
      }
      h.raw("</td>");
    }
    h.raw("</tr></table>\n</figcaption>\n</figure>\n");
  }

  private static void row(Html h, String what, long part, long whole) {
    h.raw("<tr><td>")
        .text(what)
        .raw("</td><td>")
        .text(pct(part, whole))
        .raw("</td><td>")
        .text(count(part))
        .raw("</td><td>")
        .text(count(whole))
        .raw("</td></tr>\n");
  }

  private static String pct(long part, long whole) {
    return whole == 0 ? "-" : String.format(Locale.ROOT, "%.2f%%", 100.0 * part / whole);
  }

  private static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** Facts in insertion order, for {@link #write}. */
  public static Map<String, String> facts(String... keysAndValues) {
    if (keysAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("facts come in key, value pairs");
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  private static final String CSS =
      """
      body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 1400px; }
      h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ddd; }
      table { border-collapse: collapse; margin: 0.5em 0; }
      th, td { padding: 0.25em 0.7em; text-align: left; }
      table.numbers td:not(:first-child), table.numbers th:not(:first-child) { text-align: right; }
      table.numbers tr:nth-child(even) { background: #f4f6f8; }
      table.facts th { color: #555; font-weight: normal; }
      img.chart { max-width: 100%; border: 1px solid #eee; }
      .gallery { display: flex; flex-wrap: wrap; gap: 12px; }
      figure.card { margin: 0; padding: 8px; border: 1px solid #ddd; border-radius: 4px; width: 272px; }
      img.captcha { width: 256px; height: 128px; image-rendering: pixelated; display: block; }
      figcaption { font-size: 0.85em; margin-top: 4px; }
      .name { color: #777; }
      .text { font-family: ui-monospace, monospace; font-size: 1.2em; }
      mark { background: #f8c4c4; }
      table.candidates td { vertical-align: top; padding: 2px 4px; font-size: 0.85em; border-left: 1px solid #eee; }
      .right { background: #d7f0d7; }
      .font { color: #777; font-size: 0.8em; }
      """;

  /** A small HTML builder that escapes text and attribute values. */
  static final class Html {
    private final StringBuilder s = new StringBuilder();

    Html raw(String markup) {
      s.append(markup);
      return this;
    }

    Html text(String text) {
      s.append(escape(text));
      return this;
    }

    Html attr(String value) {
      s.append(escape(value));
      return this;
    }

    static String escape(String text) {
      StringBuilder b = new StringBuilder(text.length());
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        switch (c) {
          case '<' -> b.append("&lt;");
          case '>' -> b.append("&gt;");
          case '&' -> b.append("&amp;");
          case '"' -> b.append("&quot;");
          case '\'' -> b.append("&#39;");
          default -> b.append(c);
        }
      }
      return b.toString();
    }

    @Override
    public String toString() {
      return s.toString();
    }
  }
}
