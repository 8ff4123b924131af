package dev.captcha.report;

import java.awt.BasicStroke;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws a training run's curves as one figure of four panels: training loss, validation error and
 * the learning rate against the step, and validation error against wall time; error and loss on log
 * axes so that 1% and 0.5% lie far apart. Stateless; thread-safe.
 */
public final class TrainingCharts {

  /**
   * One evaluation point of a run.
   *
   * @param step optimiser steps done
   * @param elapsedSeconds wall time of the run so far
   * @param learningRate the learning rate in force
   * @param trainLoss mean training loss since the previous point (NaN: none)
   * @param trainCharAccuracy training per-character accuracy since the previous point (NaN: none)
   * @param validationExact validation exact (whole captcha) accuracy
   * @param validationChar validation per-character accuracy
   * @param groupExact validation exact accuracy per font group, when the validation set has groups
   */
  public record Point(
      int step,
      double elapsedSeconds,
      double learningRate,
      double trainLoss,
      double trainCharAccuracy,
      double validationExact,
      double validationChar,
      Map<String, Double> groupExact) {
    public Point {
      groupExact = Map.copyOf(Objects.requireNonNull(groupExact, "groupExact"));
    }
  }

  static final int CELL_WIDTH = 600;
  static final int CELL_HEIGHT = 380;

  private TrainingCharts() {}

  /** Writes the figure of {@code points} to {@code png} and, when not null, {@code svg}. */
  public static void write(List<Point> points, Path png, Path svg) throws IOException {
    Figure figure = figure(points);
    if (png != null) {
      figure.writePng(png);
    }
    if (svg != null) {
      figure.writeSvg(svg);
    }
  }

  static Figure figure(List<Point> points) {
    if (points.isEmpty()) {
      throw new IllegalArgumentException("no training points to draw");
    }
    List<XYChart> charts =
        List.of(
            lossChart(points),
            errorChart(points, false),
            learningRateChart(points),
            errorChart(points, true));
    return new Figure(charts, 2, CELL_WIDTH, CELL_HEIGHT);
  }

  private static XYChart chart(String title, String xTitle, String yTitle) {
    XYChart c = new XYChart(CELL_WIDTH, CELL_HEIGHT);
    c.setTitle(title);
    c.setXAxisTitle(xTitle);
    c.setYAxisTitle(yTitle);
    Figure.style(c.getStyler());
    c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    return c;
  }

  private static XYChart lossChart(List<Point> points) {
    XYChart c = chart("Training loss", "step", "mean loss since the previous point (log)");
    c.getStyler().setLegendVisible(false);
    add(c, "training loss", points, Point::step, Point::trainLoss, 0);
    logY(c, "0.###");
    return c;
  }

  private static XYChart errorChart(List<Point> points, boolean againstTime) {
    XYChart c =
        againstTime
            ? chart("Validation error against wall time", "hours", "error (log)")
            : chart("Validation error", "step", "error (log)");
    if (againstTime) {
      c.getStyler().setXAxisDecimalPattern("0.0#");
    }
    ToDoubleFunction<Point> x = againstTime ? p -> p.elapsedSeconds() / 3600 : Point::step;
    int colour = 0;
    add(c, "1 - exact", points, x, p -> 1 - p.validationExact(), colour++);
    add(c, "1 - per character", points, x, p -> 1 - p.validationChar(), colour++);
    if (!againstTime) {
      XYSeries s =
          add(
              c,
              "1 - per character, training batches",
              points,
              x,
              p -> 1 - p.trainCharAccuracy(),
              7);
      if (s != null) {
        s.setLineStyle(
            new BasicStroke(
                1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {4, 3}, 0));
      }
      Set<String> groups = new LinkedHashSet<>();
      points.forEach(p -> groups.addAll(p.groupExact().keySet()));
      if (groups.size() > 1) {
        colour = 2;
        for (String g : groups.stream().sorted().toList()) {
          add(
              c,
              "1 - exact, " + g,
              points,
              x,
              p -> 1 - p.groupExact().getOrDefault(g, Double.NaN),
              colour++ % Figure.SERIES_COLORS.length);
        }
      }
    }
    c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    logY(c, "0.###%");
    return c;
  }

  private static XYChart learningRateChart(List<Point> points) {
    XYChart c = chart("Learning rate", "step", "learning rate (log)");
    c.getStyler().setLegendVisible(false);
    add(c, "learning rate", points, Point::step, Point::learningRate, 4);
    logY(c, "0.#E0");
    return c;
  }

  /** A log y axis spanning whole decades around every series of the chart. */
  private static void logY(XYChart c, String pattern) {
    double min = Double.POSITIVE_INFINITY;
    double max = 0;
    for (XYSeries s : c.getSeriesMap().values()) {
      for (double v : s.getYData()) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
    Figure.logY(c.getStyler(), min, max, pattern);
  }

  /**
   * Adds the points whose value is finite and positive (a log axis has no room for the rest) as one
   * series; returns it, or null when no point qualifies.
   */
  private static XYSeries add(
      XYChart c,
      String name,
      List<Point> points,
      ToDoubleFunction<Point> x,
      ToDoubleFunction<Point> y,
      int colour) {
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    for (Point p : points) {
      double v = y.applyAsDouble(p);
      if (Double.isFinite(v) && v > 0) {
        xs.add(x.applyAsDouble(p));
        ys.add(v);
      }
    }
    if (xs.isEmpty()) {
      return null;
    }
    XYSeries s = c.addSeries(name, xs, ys);
    s.setLineColor(Figure.SERIES_COLORS[colour]);
    s.setMarkerColor(Figure.SERIES_COLORS[colour]);
    s.setMarker(xs.size() > 60 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
    s.setLineWidth(1.6f);
    return s;
  }
}
