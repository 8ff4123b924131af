package dev.captcha.report;

import java.awt.BasicStroke;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws a training run's curves as one figure of four panels: training loss, validation error and
 * the learning rate against the step, and validation error against wall time; error and loss on log
 * axes so that 1% and 0.5% lie far apart. When the points carry several font groups, two more
 * panels: the exact error of each group against the step (one line a group) and each group's error
 * at the latest validation. Stateless; thread-safe.
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
    List<Chart<?, ?>> charts = new ArrayList<>();
    charts.add(lossChart(points));
    charts.add(errorChart(points, false));
    charts.add(learningRateChart(points));
    charts.add(errorChart(points, true));
    List<String> groups = groups(points);
    if (groups.size() > 1) {
      charts.add(groupErrorChart(points, groups));
      charts.add(latestGroupErrorChart(points, groups));
    }
    return new Figure(charts, 2, CELL_WIDTH, CELL_HEIGHT);
  }

  /** The font groups any point carries, sorted by name. */
  static List<String> groups(List<Point> points) {
    Set<String> groups = new TreeSet<>();
    points.forEach(p -> groups.addAll(p.groupExact().keySet()));
    return List.copyOf(groups);
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
        s.setLineStyle(DASHED);
      }
    }
    c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    logY(c, "0.###%");
    return c;
  }

  private static final BasicStroke DASHED =
      new BasicStroke(
          1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {4, 3}, 0);

  /**
   * One line of exact error per font group against the step, and the whole set's for reference;
   * past the tenth group the colours repeat with dashed lines.
   */
  private static XYChart groupErrorChart(List<Point> points, List<String> groups) {
    XYChart c = chart("Validation error per font group", "step", "1 - exact (log)");
    XYSeries all = add(c, "whole set", points, Point::step, p -> 1 - p.validationExact(), 7);
    if (all != null) {
      all.setLineStyle(DASHED);
    }
    for (int i = 0; i < groups.size(); i++) {
      String g = groups.get(i);
      XYSeries s =
          add(
              c,
              g,
              points,
              Point::step,
              p -> 1 - p.groupExact().getOrDefault(g, Double.NaN),
              i % Figure.SERIES_COLORS.length);
      if (s != null && i >= Figure.SERIES_COLORS.length) {
        s.setLineStyle(DASHED);
      }
    }
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    c.getStyler().setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 9));
    logY(c, "0.###%");
    return c;
  }

  /** Each group's exact error at the latest point that has group figures, worst first. */
  private static CategoryChart latestGroupErrorChart(List<Point> points, List<String> groups) {
    Point last = points.get(points.size() - 1);
    for (int i = points.size() - 1; i >= 0; i--) {
      if (!points.get(i).groupExact().isEmpty()) {
        last = points.get(i);
        break;
      }
    }
    Point at = last;
    List<String> names =
        groups.stream()
            .filter(g -> at.groupExact().containsKey(g))
            .sorted(
                Comparator.comparingDouble((String g) -> at.groupExact().get(g))
                    .thenComparing(Comparator.naturalOrder()))
            .toList();
    List<Double> errors = names.stream().map(g -> 1 - at.groupExact().get(g)).toList();
    CategoryChart c = new CategoryChart(CELL_WIDTH, CELL_HEIGHT);
    c.setTitle("Validation error per font group at step " + at.step());
    c.setXAxisTitle("font group");
    c.setYAxisTitle("1 - exact");
    CategoryStyler s = c.getStyler();
    Figure.style(s);
    s.setLegendVisible(false);
    s.setYAxisMin(0.0);
    s.setYAxisDecimalPattern("0.##%");
    s.setXAxisLabelRotation(45);
    CategorySeries bars = c.addSeries("1 - exact", names, errors);
    bars.setFillColor(Figure.SERIES_COLORS[0]);
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
