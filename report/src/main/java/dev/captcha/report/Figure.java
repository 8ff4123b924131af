package dev.captcha.report;

import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;

/**
 * XChart charts laid out in a grid and written as PNG (Java2D) and SVG (VectorGraphics2D), with the
 * house style (white, grid lines, tick marks, sans-serif); immutable.
 */
final class Figure {
  static final Color[] SERIES_COLORS = {
    new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
        new Color(0x9467bd),
    new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22),
        new Color(0x17becf)
  };

  private final List<? extends Chart<?, ?>> charts;
  private final int columns;
  private final int cellWidth;
  private final int cellHeight;

  /** Charts in reading order, {@code columns} a row, each drawn {@code cellWidth x cellHeight}. */
  Figure(List<? extends Chart<?, ?>> charts, int columns, int cellWidth, int cellHeight) {
    if (charts.isEmpty() || columns < 1) {
      throw new IllegalArgumentException("a figure needs charts and at least one column");
    }
    this.charts = List.copyOf(charts);
    this.columns = columns;
    this.cellWidth = cellWidth;
    this.cellHeight = cellHeight;
  }

  /** One chart alone. */
  static Figure of(Chart<?, ?> chart) {
    return new Figure(List.of(chart), 1, chart.getWidth(), chart.getHeight());
  }

  int width() {
    return Math.min(columns, charts.size()) * cellWidth;
  }

  int height() {
    return ((charts.size() + columns - 1) / columns) * cellHeight;
  }

  /** Applies the house style to an axes chart. */
  static void style(AxesChartStyler s) {
    s.setChartBackgroundColor(Color.WHITE);
    s.setPlotBackgroundColor(Color.WHITE);
    s.setPlotBorderColor(new Color(0x999999));
    s.setPlotGridLinesVisible(true);
    s.setPlotGridLinesColor(new Color(0xdddddd));
    s.setPlotGridLinesStroke(new BasicStroke(0.8f));
    s.setAxisTicksMarksVisible(true);
    s.setPlotTicksMarksVisible(true);
    s.setChartTitleBoxVisible(false);
    s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    s.setLegendBorderColor(new Color(0xcccccc));
    s.setSeriesColors(SERIES_COLORS);
    s.setMarkerSize(5);
    s.setAntiAlias(true);
  }

  /**
   * Makes the chart's y axis logarithmic from the power of ten at or below the smallest positive
   * value to the one at or above the largest, so every decade is labelled at both ends; minor grid
   * lines mark 2..9 times each power.
   */
  static void logY(AxesChartStyler s, double min, double max, String decimalPattern) {
    s.setYAxisLogarithmic(true);
    s.setYAxisLogarithmicDecadeOnly(true);
    s.setYAxisDecimalPattern(decimalPattern);
    if (min > 0 && max >= min && Double.isFinite(max)) {
      double low = Math.pow(10, Math.floor(Math.log10(min) + 1e-9));
      double high = Math.pow(10, Math.ceil(Math.log10(max) - 1e-9));
      s.setYAxisMin(low);
      s.setYAxisMax(high > low ? high : low * 10);
    }
  }

  /** Writes the figure as a PNG image. */
  void writePng(Path file) throws IOException {
    Files.write(file, png());
  }

  /** The figure as PNG bytes. */
  byte[] png() throws IOException {
    BufferedImage image = new BufferedImage(width(), height(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width(), height());
      paint(g);
    } finally {
      g.dispose();
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    if (!ImageIO.write(image, "png", bytes)) {
      throw new IOException("no PNG writer");
    }
    return bytes.toByteArray();
  }

  /** Writes the figure as an SVG document. */
  void writeSvg(Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      writeSvg(out);
    }
  }

  void writeSvg(OutputStream out) throws IOException {
    out.write(svg().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The figure as an SVG document. Text is drawn as outlines (the charts lay it out in Java2D), so
   * coordinates are cut to two decimals, a hundredth of a pixel, to keep the file small.
   */
  String svg() throws IOException {
    VectorGraphics2D g = new VectorGraphics2D();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width(), height());
    paint(g);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new SVGProcessor()
        .getDocument(g.getCommands(), new PageSize(0, 0, width(), height()))
        .writeTo(bytes);
    return LONG_DECIMALS.matcher(bytes.toString(StandardCharsets.UTF_8)).replaceAll("$1");
  }

  private static final Pattern LONG_DECIMALS = Pattern.compile("(\\d\\.\\d{2})\\d+");

  private void paint(Graphics2D g) {
    for (int i = 0; i < charts.size(); i++) {
      Graphics2D cell =
          (Graphics2D)
              g.create(
                  (i % columns) * cellWidth, (i / columns) * cellHeight, cellWidth, cellHeight);
      try {
        charts.get(i).paint(cell, cellWidth, cellHeight);
      } finally {
        cell.dispose();
      }
    }
  }
}
