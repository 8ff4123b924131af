package dev.captcha.training.train;

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
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/**
 * Appends one row per evaluation to metrics.csv and redraws the loss/accuracy chart (PNG); owned by
 * the training loop, not thread-safe.
 */
final class MetricsLog {

  /** One evaluation point. */
  record Row(int step, long images, double elapsedSeconds, double lr, double trainLoss,
      double trainCharAccuracy, double valExact, double valChar) {}

  static final String HEADER =
      "step,images,elapsed_s,lr,train_loss,train_char_acc,val_exact_acc,val_char_acc";

  private final Path csv;
  private final Path chart;
  private final List<Row> rows = new ArrayList<>();

  MetricsLog(Path csv, Path chart) throws IOException {
    this.csv = csv;
    this.chart = chart;
    if (Files.exists(csv)) {
      for (String line : Files.readAllLines(csv, StandardCharsets.UTF_8)) {
        if (line.isBlank() || line.startsWith("step")) {
          continue;
        }
        String[] f = line.split(",");
        rows.add(new Row(Integer.parseInt(f[0]), Long.parseLong(f[1]), Double.parseDouble(f[2]),
            Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]),
            Double.parseDouble(f[6]), Double.parseDouble(f[7])));
      }
    } else {
      Files.writeString(csv, HEADER + "\n", StandardCharsets.UTF_8);
    }
  }

  void append(Row r) throws IOException {
    rows.add(r);
    String line = String.format(Locale.ROOT, "%d,%d,%.1f,%.6g,%.5f,%.5f,%.5f,%.5f%n", r.step(), r.images(),
        r.elapsedSeconds(), r.lr(), r.trainLoss(), r.trainCharAccuracy(), r.valExact(), r.valChar());
    Files.writeString(csv, line, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    drawChart();
  }

  List<Row> rows() {
    return List.copyOf(rows);
  }

  private void drawChart() throws IOException {
    int w = 900;
    int h = 420;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, w, h);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      double maxStep = Math.max(1, rows.get(rows.size() - 1).step());
      double maxLoss = rows.stream().mapToDouble(Row::trainLoss).max().orElse(1);
      panel(g, 50, 30, 380, 340, "training loss", maxStep, 0, maxLoss,
          List.of(new Series("train loss", new Color(200, 60, 40), Row::trainLoss)));
      panel(g, 500, 30, 380, 340, "accuracy", maxStep, 0, 1,
          List.of(new Series("train char", new Color(120, 120, 120), Row::trainCharAccuracy),
              new Series("val char", new Color(40, 110, 200), Row::valChar),
              new Series("val exact", new Color(30, 150, 60), Row::valExact)));
    } finally {
      g.dispose();
    }
    ImageIO.write(img, "png", chart.toFile());
  }

  private record Series(String name, Color color, ToDoubleFunction<Row> value) {}

  private void panel(Graphics2D g, int x0, int y0, int pw, int ph, String title, double maxX,
      double minY, double maxY, List<Series> series) {
    g.setColor(Color.BLACK);
    g.drawRect(x0, y0, pw, ph);
    g.drawString(title, x0, y0 - 8);
    g.drawString("step " + (long) maxX, x0 + pw - 70, y0 + ph + 16);
    g.drawString(String.format(Locale.ROOT, "%.3g", maxY), x0 - 45, y0 + 10);
    g.drawString(String.format(Locale.ROOT, "%.3g", minY), x0 - 45, y0 + ph);
    int legendY = y0 + 18;
    for (Series s : series) {
      g.setColor(s.color());
      g.setStroke(new BasicStroke(1.6f));
      int px = -1;
      int py = -1;
      for (Row r : rows) {
        int x = x0 + (int) (pw * r.step() / maxX);
        double v = Math.max(minY, Math.min(maxY, s.value().applyAsDouble(r)));
        int y = y0 + ph - (int) (ph * (v - minY) / (maxY - minY));
        if (px >= 0) {
          g.drawLine(px, py, x, y);
        }
        px = x;
        py = y;
      }
      g.drawString(s.name(), x0 + pw - 90, legendY);
      legendY += 14;
    }
  }
}
