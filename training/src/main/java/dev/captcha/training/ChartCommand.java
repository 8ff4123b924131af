package dev.captcha.training;

import dev.captcha.training.train.MetricsLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code chart} command: redraws the training charts of a run folder or a metrics.csv. */
@Command(
    name = "chart",
    mixinStandardHelpOptions = true,
    description =
        "Redraws the training charts (loss, validation error, learning rate; PNG and SVG) from a run's"
            + " metrics.csv, e.g. models/training-metrics.csv to models/training-metrics.png and .svg.")
final class ChartCommand implements Callable<Integer> {

  @Option(
      names = "--metrics",
      required = true,
      paramLabel = "CSV|RUN_DIR",
      description = "A metrics.csv, or a run folder holding one.")
  Path metrics;

  @Option(
      names = "--out",
      paramLabel = "DIR|FILE.png",
      description =
          "Folder to write <name>.png and <name>.svg into (name of the CSV), or the PNG file itself;"
              + " the SVG goes beside it (default: beside the CSV).")
  Path out;

  @Override
  public Integer call() throws Exception {
    Path csv = Files.isDirectory(metrics) ? metrics.resolve("metrics.csv") : metrics;
    List<MetricsLog.Row> rows = MetricsLog.read(csv);
    if (rows.isEmpty()) {
      throw new IllegalArgumentException(csv + " has no metrics rows to draw");
    }
    String stem = csv.getFileName().toString().replaceFirst("\\.[^.]*$", "");
    Path png;
    if (out == null) {
      png = csv.resolveSibling(stem + ".png");
    } else if (out.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".png")) {
      png = out;
      Path parent = out.toAbsolutePath().getParent();
      Files.createDirectories(parent);
    } else {
      Files.createDirectories(out);
      png = out.resolve(stem + ".png");
    }
    MetricsLog.chart(rows, png);
    System.err.println(
        "wrote " + png + " and " + MetricsLog.svgBeside(png) + " (" + rows.size() + " points)");
    return 0;
  }
}
