package dev.captcha.loadtest;

import java.util.List;
import java.util.Locale;

/** Draws simple line and bar charts as inline SVG text; stateless. */
final class SvgChart {

  /** One line of a chart; {@code xs} and {@code ys} have the same length. */
  record Series(String name, String color, double[] xs, double[] ys) {}

  /** A horizontal reference line, such as an SLO. */
  record Guide(String name, double y) {}

  /** A highlighted point, such as the knee. */
  record Marker(String name, double x, double y) {}

  private static final int W = 760;
  private static final int H = 320;
  private static final int LEFT = 70;
  private static final int RIGHT = 150;
  private static final int TOP = 30;
  private static final int BOTTOM = 45;

  private SvgChart() {}

  static String lines(
      String title, String xLabel, String yLabel, List<Series> series, Guide guide, Marker marker) {
    double minX = Double.POSITIVE_INFINITY;
    double maxX = Double.NEGATIVE_INFINITY;
    double maxY = 0;
    for (Series s : series) {
      for (int i = 0; i < s.xs().length; i++) {
        minX = Math.min(minX, s.xs()[i]);
        maxX = Math.max(maxX, s.xs()[i]);
        maxY = Math.max(maxY, s.ys()[i]);
      }
    }
    if (guide != null) {
      maxY = Math.max(maxY, guide.y());
    }
    if (!Double.isFinite(minX)) {
      minX = 0;
      maxX = 1;
    }
    if (maxX <= minX) {
      maxX = minX + 1;
    }
    double yStep = niceStep(maxY <= 0 ? 1 : maxY * 1.05 / 5);
    double yTop = Math.max(yStep, Math.ceil(maxY * 1.05 / yStep) * yStep);
    Frame f = new Frame(minX, maxX, yTop);
    StringBuilder b = open(title);
    axes(b, f, xLabel, yLabel, niceStep((maxX - minX) / 6), yStep);
    if (guide != null) {
      double y = f.y(guide.y());
      b.append(
          String.format(
              Locale.ROOT,
              "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#c00' stroke-dasharray='6 4'/>"
                  + "<text x='%d' y='%.1f' font-size='11' fill='#c00'>%s</text>",
              LEFT,
              y,
              W - RIGHT,
              y,
              W - RIGHT + 6,
              y + 4,
              esc(guide.name())));
    }
    int legend = 0;
    for (Series s : series) {
      StringBuilder pts = new StringBuilder();
      for (int i = 0; i < s.xs().length; i++) {
        pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", f.x(s.xs()[i]), f.y(s.ys()[i])));
      }
      b.append("<polyline fill='none' stroke-width='2' stroke='")
          .append(s.color())
          .append("' points='")
          .append(pts)
          .append("'/>");
      for (int i = 0; i < s.xs().length && s.xs().length <= 60; i++) {
        b.append(
            String.format(
                Locale.ROOT,
                "<circle cx='%.1f' cy='%.1f' r='2.5' fill='%s'/>",
                f.x(s.xs()[i]),
                f.y(s.ys()[i]),
                s.color()));
      }
      int ly = TOP + 14 + 18 * legend++;
      b.append(
          String.format(
              Locale.ROOT,
              "<rect x='%d' y='%d' width='12' height='3' fill='%s'/>"
                  + "<text x='%d' y='%d' font-size='12'>%s</text>",
              W - RIGHT + 6,
              ly - 4,
              s.color(),
              W - RIGHT + 22,
              ly,
              esc(s.name())));
    }
    if (marker != null) {
      b.append(
          String.format(
              Locale.ROOT,
              "<circle cx='%.1f' cy='%.1f' r='7' fill='none' stroke='#000' stroke-width='2'/>"
                  + "<text x='%.1f' y='%.1f' font-size='12' font-weight='bold'>%s</text>",
              f.x(marker.x()),
              f.y(marker.y()),
              f.x(marker.x()) + 9,
              f.y(marker.y()) - 9,
              esc(marker.name())));
    }
    return b.append("</svg>").toString();
  }

  static String bars(
      String title, String xLabel, String yLabel, List<String> labels, double[] values) {
    double maxY = 0;
    for (double v : values) {
      maxY = Math.max(maxY, v);
    }
    double yStep = niceStep(maxY <= 0 ? 1 : maxY * 1.05 / 5);
    double yTop = Math.max(yStep, Math.ceil(maxY * 1.05 / yStep) * yStep);
    Frame f = new Frame(0, Math.max(1, labels.size()), yTop);
    StringBuilder b = open(title);
    axes(b, f, xLabel, yLabel, 0, yStep);
    double slot = (double) (W - LEFT - RIGHT) / Math.max(1, labels.size());
    int every = Math.max(1, labels.size() / 20);
    for (int i = 0; i < labels.size(); i++) {
      double x = LEFT + i * slot;
      double y = f.y(values[i]);
      b.append(
          String.format(
              Locale.ROOT,
              "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='#4878a8'>"
                  + "<title>%s: %s</title></rect>",
              x + slot * 0.1,
              y,
              slot * 0.8,
              (H - BOTTOM) - y,
              esc(labels.get(i)),
              CsvReport.num(values[i])));
      if (i % every == 0) {
        b.append(
            String.format(
                Locale.ROOT,
                "<text x='%.1f' y='%d' font-size='11' text-anchor='middle'>%s</text>",
                x + slot / 2,
                H - BOTTOM + 14,
                esc(labels.get(i))));
      }
    }
    return b.append("</svg>").toString();
  }

  private static StringBuilder open(String title) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' viewBox='0 0 %d %d'"
                + " font-family='sans-serif'><rect width='%d' height='%d' fill='#fff'/>"
                + "<text x='%d' y='18' font-size='14' font-weight='bold'>%s</text>",
            W,
            H,
            W,
            H,
            W,
            H,
            LEFT,
            esc(title)));
    return b;
  }

  private static void axes(
      StringBuilder b, Frame f, String xLabel, String yLabel, double xStep, double yStep) {
    for (double v = 0; v <= f.yTop + yStep / 2; v += yStep) {
      double y = f.y(v);
      b.append(
          String.format(
              Locale.ROOT,
              "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#ddd'/>"
                  + "<text x='%d' y='%.1f' font-size='11' text-anchor='end'>%s</text>",
              LEFT,
              y,
              W - RIGHT,
              y,
              LEFT - 6,
              y + 4,
              label(v)));
    }
    if (xStep > 0) {
      double start = Math.ceil(f.minX / xStep) * xStep;
      for (double v = start; v <= f.maxX + xStep / 1e6; v += xStep) {
        double x = f.x(v);
        b.append(
            String.format(
                Locale.ROOT,
                "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#999'/>"
                    + "<text x='%.1f' y='%d' font-size='11' text-anchor='middle'>%s</text>",
                x,
                H - BOTTOM,
                x,
                H - BOTTOM + 4,
                x,
                H - BOTTOM + 16,
                label(v)));
      }
    }
    b.append(
        String.format(
            Locale.ROOT,
            "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#333'/>"
                + "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#333'/>"
                + "<text x='%d' y='%d' font-size='12' text-anchor='middle'>%s</text>"
                + "<text x='14' y='%d' font-size='12' text-anchor='middle'"
                + " transform='rotate(-90 14 %d)'>%s</text>",
            LEFT,
            H - BOTTOM,
            W - RIGHT,
            H - BOTTOM,
            LEFT,
            TOP,
            LEFT,
            H - BOTTOM,
            (LEFT + W - RIGHT) / 2,
            H - 8,
            esc(xLabel),
            (TOP + H - BOTTOM) / 2,
            (TOP + H - BOTTOM) / 2,
            esc(yLabel)));
  }

  /** A round step (1, 2 or 5 times a power of ten) near {@code raw}. */
  static double niceStep(double raw) {
    if (!(raw > 0) || !Double.isFinite(raw)) {
      return 1;
    }
    double power = Math.pow(10, Math.floor(Math.log10(raw)));
    double m = raw / power;
    double nice = m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10;
    return nice * power;
  }

  private static String label(double v) {
    if (Math.abs(v) >= 1000 || v == Math.rint(v)) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    return String.format(Locale.ROOT, "%.3g", v);
  }

  static String esc(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("'", "&#39;")
        .replace("\"", "&quot;");
  }

  private record Frame(double minX, double maxX, double yTop) {
    double x(double v) {
      return LEFT + (v - minX) / (maxX - minX) * (W - LEFT - RIGHT);
    }

    double y(double v) {
      return (H - BOTTOM) - v / yTop * (H - BOTTOM - TOP);
    }
  }
}
