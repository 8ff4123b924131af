package dev.captcha.training.train;

import dev.captcha.report.TrainingCharts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Appends one row per evaluation to metrics.csv and redraws the training charts (metrics.png and
 * metrics.svg beside it); owns the CSV format. Owned by the training loop, not thread-safe.
 *
 * <p>The CSV has eight fixed columns and, when the validation set has font groups, one column
 * {@code val_exact_acc:<group>} per group; files without them (older runs) read the same.
 */
public final class MetricsLog {

  /**
   * One evaluation point.
   *
   * @param groupExact validation exact accuracy per font group (empty when the set has no groups)
   */
  public record Row(
      int step,
      long images,
      double elapsedSeconds,
      double lr,
      double trainLoss,
      double trainCharAccuracy,
      double valExact,
      double valChar,
      Map<String, Double> groupExact) {
    public Row {
      groupExact = Map.copyOf(groupExact);
    }

    /** A row without font groups. */
    public Row(
        int step,
        long images,
        double elapsedSeconds,
        double lr,
        double trainLoss,
        double trainCharAccuracy,
        double valExact,
        double valChar) {
      this(
          step,
          images,
          elapsedSeconds,
          lr,
          trainLoss,
          trainCharAccuracy,
          valExact,
          valChar,
          Map.of());
    }

    TrainingCharts.Point point() {
      return new TrainingCharts.Point(
          step, elapsedSeconds, lr, trainLoss, trainCharAccuracy, valExact, valChar, groupExact);
    }
  }

  static final String HEADER =
      "step,images,elapsed_s,lr,train_loss,train_char_acc,val_exact_acc,val_char_acc";
  static final String GROUP_PREFIX = "val_exact_acc:";

  private final Path csv;
  private final Path png;
  private final Path svg;
  private final List<Row> rows;
  private final Set<String> groups = new LinkedHashSet<>();

  MetricsLog(Path csv, Path png) throws IOException {
    this.csv = csv;
    this.png = png;
    this.svg = svgBeside(png);
    if (Files.exists(csv)) {
      rows = new ArrayList<>(read(csv));
      rows.forEach(r -> groups.addAll(r.groupExact().keySet()));
    } else {
      rows = new ArrayList<>();
      Files.writeString(csv, header(), StandardCharsets.UTF_8);
    }
  }

  /** The SVG path beside a PNG path ({@code metrics.png} gives {@code metrics.svg}). */
  public static Path svgBeside(Path png) {
    String name = png.getFileName().toString();
    String stem =
        name.toLowerCase(Locale.ROOT).endsWith(".png")
            ? name.substring(0, name.length() - 4)
            : name;
    return png.resolveSibling(stem + ".svg");
  }

  /**
   * Reads a metrics.csv.
   *
   * @throws IllegalArgumentException naming the file and line when it is not one
   */
  public static List<Row> read(Path csv) throws IOException {
    if (!Files.isRegularFile(csv)) {
      throw new IllegalArgumentException("metrics file " + csv + " does not exist");
    }
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    List<String> groupColumns = new ArrayList<>();
    List<Row> rows = new ArrayList<>();
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n);
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split(",", -1);
      if (line.startsWith("step")) {
        groupColumns.clear();
        for (int i = 8; i < f.length; i++) {
          if (!f[i].startsWith(GROUP_PREFIX)) {
            throw new IllegalArgumentException(
                csv + ":" + (n + 1) + ": unknown column '" + f[i] + "'");
          }
          groupColumns.add(f[i].substring(GROUP_PREFIX.length()));
        }
        continue;
      }
      try {
        if (f.length < 8) {
          throw new NumberFormatException("8 columns expected, got " + f.length);
        }
        Map<String, Double> group = new LinkedHashMap<>();
        for (int i = 0; i < groupColumns.size() && 8 + i < f.length; i++) {
          if (!f[8 + i].isBlank()) {
            group.put(groupColumns.get(i), Double.parseDouble(f[8 + i]));
          }
        }
        rows.add(
            new Row(
                Integer.parseInt(f[0]),
                Long.parseLong(f[1]),
                Double.parseDouble(f[2]),
                Double.parseDouble(f[3]),
                Double.parseDouble(f[4]),
                Double.parseDouble(f[5]),
                Double.parseDouble(f[6]),
                Double.parseDouble(f[7]),
                group));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            csv + ":" + (n + 1) + " is not a metrics row: " + e.getMessage(), e);
      }
    }
    return rows;
  }

  /** Draws the charts of {@code rows} to {@code png} and the SVG beside it. */
  public static void chart(List<Row> rows, Path png) throws IOException {
    TrainingCharts.write(rows.stream().map(Row::point).toList(), png, svgBeside(png));
  }

  void append(Row r) throws IOException {
    rows.add(r);
    if (groups.addAll(r.groupExact().keySet())) {
      // A group not in the header: write the file anew with a column for it.
      StringBuilder all = new StringBuilder(header());
      rows.forEach(row -> all.append(line(row)));
      Files.writeString(csv, all.toString(), StandardCharsets.UTF_8);
    } else {
      Files.writeString(csv, line(r), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }
    chart(rows, png);
  }

  List<Row> rows() {
    return List.copyOf(rows);
  }

  private String header() {
    StringBuilder s = new StringBuilder(HEADER);
    groups.forEach(g -> s.append(',').append(GROUP_PREFIX).append(g.replace(',', ' ')));
    return s.append('\n').toString();
  }

  private String line(Row r) {
    StringBuilder s =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "%d,%d,%.1f,%.6g,%.5f,%.5f,%.5f,%.5f",
                r.step(),
                r.images(),
                r.elapsedSeconds(),
                r.lr(),
                r.trainLoss(),
                r.trainCharAccuracy(),
                r.valExact(),
                r.valChar()));
    for (String g : groups) {
      Double v = r.groupExact().get(g);
      s.append(',');
      if (v != null) {
        s.append(String.format(Locale.ROOT, "%.5f", v));
      }
    }
    return s.append('\n').toString();
  }
}
