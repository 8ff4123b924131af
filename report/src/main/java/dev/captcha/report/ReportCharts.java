package dev.captcha.report;

import dev.captcha.model.Tally;
import java.awt.Color;
import java.awt.Font;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The charts of the evaluation report, drawn with XChart; stateless and thread-safe. */
final class ReportCharts {
  private ReportCharts() {}

  /**
   * Rows: the true characters that were misread; columns: what they were read as; cells: counts.
   */
  static Figure confusionHeatMap(List<Tally.Confusion> confusions) {
    TreeSet<String> truths = new TreeSet<>(ReportCharts::charOrder);
    TreeSet<String> reads = new TreeSet<>(ReportCharts::charOrder);
    for (Tally.Confusion c : confusions) {
      truths.add(c.truth());
      reads.add(c.predicted());
    }
    List<String> xs = new ArrayList<>(reads);
    List<String> ys =
        new ArrayList<>(truths.descendingSet()); // drawn bottom-up: the first character on top
    List<Number[]> cells = new ArrayList<>();
    long max = 1;
    for (Tally.Confusion c : confusions) {
      cells.add(new Number[] {xs.indexOf(c.predicted()), ys.indexOf(c.truth()), c.count()});
      max = Math.max(max, c.count());
    }
    int cell = 26;
    int width = Math.max(420, 140 + cell * xs.size());
    int height = Math.max(320, 140 + cell * ys.size());
    HeatMapChart chart = new HeatMapChartBuilder().width(width).height(height).build();
    chart.setTitle("Misread characters");
    chart.setXAxisTitle("read as");
    chart.setYAxisTitle("true character");
    var s = chart.getStyler();
    Figure.style(s);
    s.setPlotGridLinesVisible(false);
    s.setLegendVisible(true);
    s.setLegendPosition(Styler.LegendPosition.OutsideE);
    s.setShowValue(true);
    s.setValueFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
    s.setValueFontColor(Color.BLACK);
    s.setHeatMapValueDecimalPattern("#");
    s.setMin(0);
    s.setMax(max);
    s.setRangeColors(new Color[] {new Color(0xfff5eb), new Color(0xfdae6b), new Color(0xd94801)});
    s.setAxisTickLabelsFont(new Font(Font.MONOSPACED, Font.BOLD, 13));
    chart.addSeries("count", xs, ys, cells);
    return Figure.of(chart);
  }

  /**
   * Exact accuracy of each confidence bin (bars) against its mean confidence (line); bins without
   * captchas are left out.
   */
  static Figure reliability(double[] edges, long[] images, long[] exact, double[] confidenceSum) {
    List<String> labels = new ArrayList<>();
    List<Double> accuracy = new ArrayList<>();
    List<Double> confidence = new ArrayList<>();
    for (int i = 0; i < edges.length; i++) {
      if (images[i] == 0) {
        continue;
      }
      labels.add(binLabel(edges, i) + String.format(Locale.ROOT, " (%,d)", images[i]));
      accuracy.add((double) exact[i] / images[i]);
      confidence.add(confidenceSum[i] / images[i]);
    }
    CategoryChart chart = new CategoryChartBuilder().width(900).height(400).build();
    chart.setTitle("Accuracy against confidence");
    chart.setXAxisTitle("confidence bin (captchas)");
    chart.setYAxisTitle("exact accuracy");
    var s = chart.getStyler();
    Figure.style(s);
    s.setYAxisMin(0.0);
    s.setYAxisMax(1.0);
    s.setYAxisDecimalPattern("0%");
    s.setLegendPosition(Styler.LegendPosition.InsideNW);
    s.setOverlapped(true);
    s.setXAxisLabelRotation(20);
    if (labels.isEmpty()) {
      labels.add("no captchas");
      accuracy.add(0.0);
      confidence.add(0.0);
    }
    CategorySeries bars = chart.addSeries("exact accuracy in the bin", labels, accuracy);
    bars.setFillColor(new Color(0x9ecae1));
    CategorySeries line =
        chart.addSeries("mean confidence in the bin (calibrated: the same)", labels, confidence);
    line.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
    line.setLineColor(new Color(0xd62728));
    line.setMarkerColor(new Color(0xd62728));
    line.setMarker(SeriesMarkers.CIRCLE);
    return Figure.of(chart);
  }

  /** "[0.99, 0.995)", the last bin closed at 1. */
  static String binLabel(double[] edges, int i) {
    double low = i == 0 ? 0 : edges[i - 1];
    double high = edges[i];
    return i == edges.length - 1
        ? "[" + fmt(low) + ", 1]"
        : "[" + fmt(low) + ", " + fmt(high) + ")";
  }

  private static String fmt(double v) {
    return new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
  }

  /** Digits, then upper case, then lower case, so a letter's two cases sit in the same region. */
  private static int charOrder(String a, String b) {
    int c = Integer.compare(rank(a), rank(b));
    return c != 0 ? c : a.compareTo(b);
  }

  private static int rank(String s) {
    int cp = s.codePointAt(0);
    return Character.isDigit(cp)
        ? 0
        : Character.isUpperCase(cp) ? 1 : Character.isLowerCase(cp) ? 2 : 3;
  }
}
