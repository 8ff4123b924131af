package dev.captcha.loadtest;

import static dev.captcha.loadtest.SvgChart.esc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.function.ToDoubleFunction;

/**
 * Renders a {@link Report} as one self-contained HTML page with inline SVG charts (nothing is
 * fetched when it is opened); stateless.
 */
final class HtmlReport {

  private HtmlReport() {}

  static void write(Report report, Path file) throws IOException {
    Files.writeString(file, render(report), StandardCharsets.UTF_8);
  }

  static String render(Report report) {
    StringBuilder b = new StringBuilder();
    b.append("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>")
        .append(esc(report.title()))
        .append(
            "</title><style>body{font-family:sans-serif;margin:24px;color:#222}"
                + "table{border-collapse:collapse;margin:8px 0 20px}"
                + "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right;font-size:13px}"
                + "th{background:#f0f0f0}td.l,th.l{text-align:left}.bad{color:#b00}"
                + "svg{display:block;margin:8px 0 20px;border:1px solid #eee}</style></head><body>");
    b.append("<h1>").append(esc(report.title())).append("</h1>");
    b.append("<p>Started ")
        .append(esc(report.startedAt()))
        .append(" &middot; targets ")
        .append(esc(String.join(", ", report.targets())))
        .append(" &middot; ")
        .append(report.connections())
        .append(" connection(s) &middot; workload: ")
        .append(esc(report.workload()))
        .append("</p>");
    if (report.server() != null) {
      b.append("<p>Server: ").append(esc(report.server())).append("</p>");
    }
    runsTable(b, report);
    if (report.sweep() != null) {
      sweep(b, report);
    }
    RunResult f = report.featured();
    b.append("<h2>")
        .append(report.runs().size() > 1 ? "Run " + report.runs().indexOf(f) + ": " : "")
        .append(esc(f.load()))
        .append("</h2>");
    timeSeries(b, f);
    details(b, f);
    b.append(
        "<p style='font-size:12px;color:#666'>Latency is measured from each request's"
            + " scheduled send time in open loop (corrected for coordinated omission) and from the"
            + " actual send in closed loop. Warm-up requests are excluded.</p>");
    return b.append("</body></html>\n").toString();
  }

  private static void runsTable(StringBuilder b, Report report) {
    b.append(
        "<table><tr><th>run</th><th class='l'>load</th><th>sent</th><th>ok</th>"
            + "<th>failed</th><th>throughput req/s</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th>"
            + "<th>p99.9 ms</th><th>max ms</th><th>exact</th><th>mean batch</th>"
            + (report.sweep() != null ? "<th>SLO</th>" : "")
            + "</tr>");
    for (int i = 0; i < report.runs().size(); i++) {
      RunResult r = report.runs().get(i);
      b.append("<tr><td>")
          .append(i)
          .append("</td><td class='l'>")
          .append(esc(r.load()))
          .append("</td><td>")
          .append(r.sent())
          .append("</td><td>")
          .append(r.ok())
          .append("</td><td")
          .append(r.failed() > 0 ? " class='bad'>" : ">")
          .append(r.failed())
          .append("</td><td>")
          .append(fmt(r.throughputRps()))
          .append("</td><td>")
          .append(fmt(r.latency().p50Ms()))
          .append("</td><td>")
          .append(fmt(r.latency().p90Ms()))
          .append("</td><td>")
          .append(fmt(r.latency().p99Ms()))
          .append("</td><td>")
          .append(fmt(r.latency().p999Ms()))
          .append("</td><td>")
          .append(fmt(r.latency().maxMs()))
          .append("</td><td>")
          .append(String.format(Locale.ROOT, "%.1f%%", 100 * r.accuracy().exactShare()))
          .append("</td><td>")
          .append(fmt(r.server().meanBatchSize()))
          .append("</td>");
      if (report.sweep() != null) {
        boolean passed = report.sweep().points().get(i).passed();
        boolean knee = report.sweep().kneeRun() != null && report.sweep().kneeRun() == i;
        b.append("<td")
            .append(passed ? ">met" : " class='bad'>missed")
            .append(knee ? " (knee)" : "")
            .append("</td>");
      }
      b.append("</tr>");
    }
    b.append("</table>");
  }

  private static void sweep(StringBuilder b, Report report) {
    Report.SweepSummary w = report.sweep();
    List<RunResult> sorted = new ArrayList<>(report.runs());
    sorted.sort((x, y) -> Double.compare(x.throughputRps(), y.throughputRps()));
    int n = sorted.size();
    double[] xs = new double[n];
    double[] p50 = new double[n];
    double[] p99 = new double[n];
    for (int i = 0; i < n; i++) {
      xs[i] = sorted.get(i).throughputRps();
      p50[i] = sorted.get(i).latency().p50Ms();
      p99[i] = sorted.get(i).latency().p99Ms();
    }
    b.append("<h2>Sweep over ").append(esc(w.parameter())).append("</h2><p>");
    if (w.kneeRun() == null) {
      b.append("No step met p99 &le; ").append(fmt(w.sloP99Ms())).append(" ms.");
    } else {
      b.append("Knee: <b>")
          .append(fmt(w.kneeThroughputRps()))
          .append(" req/s</b> at ")
          .append(esc(w.parameter()))
          .append(' ')
          .append(fmt(w.kneeParameter()))
          .append(" (p99 ")
          .append(fmt(w.kneeP99Ms()))
          .append(" ms &le; SLO ")
          .append(fmt(w.sloP99Ms()))
          .append(" ms)")
          .append(w.bracketed() ? "." : "; every step met the SLO, so the knee lies higher.");
    }
    b.append("</p>");
    SvgChart.Marker knee =
        w.kneeRun() == null
            ? null
            : new SvgChart.Marker("knee", w.kneeThroughputRps(), w.kneeP99Ms());
    b.append(
        SvgChart.lines(
            "Throughput vs latency",
            "throughput (req/s)",
            "latency (ms)",
            List.of(
                new SvgChart.Series("p50", "#4878a8", xs, p50),
                new SvgChart.Series("p99", "#d08020", xs, p99)),
            new SvgChart.Guide("SLO p99", w.sloP99Ms()),
            knee));
  }

  private static void timeSeries(StringBuilder b, RunResult r) {
    List<IntervalStats> all = r.intervals();
    // Latency points only where some request succeeded; an empty interval has no percentiles.
    List<IntervalStats> answered = all.stream().filter(s -> s.ok() > 0).toList();
    b.append(
        SvgChart.lines(
            "Latency percentiles over time",
            "time since measurement start (s)",
            "latency (ms)",
            List.of(
                series("p50", "#4878a8", answered, IntervalStats::p50Ms),
                series("p90", "#58a058", answered, IntervalStats::p90Ms),
                series("p99", "#d08020", answered, IntervalStats::p99Ms),
                series("max", "#b03030", answered, IntervalStats::maxMs)),
            null,
            null));
    b.append(
        SvgChart.lines(
            "Throughput over time",
            "time since measurement start (s)",
            "requests/s",
            List.of(
                series("completed", "#4878a8", all, IntervalStats::throughputRps),
                series(
                    "failed",
                    "#b03030",
                    all,
                    s -> s.errors() / Math.max(1e-9, s.endS() - s.startS()))),
            null,
            null));
    SortedMap<Integer, Long> sizes = r.server().batchSizes();
    if (!sizes.isEmpty()) {
      List<String> labels = new ArrayList<>();
      List<Double> counts = new ArrayList<>();
      int min = sizes.firstKey();
      int max = sizes.lastKey();
      if (max - min <= 256) {
        // Every size in the range, so gaps in the distribution show.
        for (int size = min; size <= max; size++) {
          labels.add(String.valueOf(size));
          counts.add((double) sizes.getOrDefault(size, 0L));
        }
      } else {
        sizes.forEach(
            (size, count) -> {
              labels.add(String.valueOf(size));
              counts.add((double) count);
            });
      }
      b.append(
          SvgChart.bars(
              "Batch-size distribution (requests by the size of their batch)",
              "batch size",
              "requests",
              labels,
              counts.stream().mapToDouble(Double::doubleValue).toArray()));
    }
  }

  private static SvgChart.Series series(
      String name,
      String color,
      List<IntervalStats> points,
      ToDoubleFunction<IntervalStats> value) {
    double[] xs = new double[points.size()];
    double[] ys = new double[points.size()];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = points.get(i).endS();
      ys[i] = value.applyAsDouble(points.get(i));
    }
    return new SvgChart.Series(name, color, xs, ys);
  }

  private static void details(StringBuilder b, RunResult r) {
    ServerSide s = r.server();
    b.append(
        "<h3>Server side (from response timing)</h3><table><tr><th class='l'></th>"
            + "<th>count</th><th>mean ms</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th>"
            + "<th>p99.9 ms</th><th>max ms</th></tr>");
    row(b, "queue time", s.queueTime());
    row(b, "inference time (whole batch)", s.inferenceTime());
    row(b, "preprocess time", s.preprocessTime());
    row(b, "client latency (ok)", r.latency());
    row(b, "client latency (failed)", r.failedLatency());
    b.append("</table><p>Mean batch size ").append(fmt(s.meanBatchSize())).append(".</p>");
    b.append("<h3>Errors</h3>");
    if (r.errorsByCode().isEmpty()) {
      b.append("<p>None.</p>");
    } else {
      b.append("<table><tr><th class='l'>status</th><th>requests</th></tr>");
      r.errorsByCode()
          .forEach(
              (k, v) ->
                  b.append("<tr><td class='l'>")
                      .append(esc(k))
                      .append("</td><td>")
                      .append(v)
                      .append("</td></tr>"));
      b.append("</table>");
    }
    Accuracy a = r.accuracy();
    b.append("<h3>Answers matching labels</h3><p>");
    if (a.labelled() == 0) {
      b.append("No labelled answers.");
    } else {
      b.append(
          String.format(
              Locale.ROOT,
              "exact %.2f%%, case-folded %.2f%%, look-alikes merged %.2f%% of %d labelled answers.",
              100 * a.exactShare(),
              100 * a.caseFoldedShare(),
              100 * a.confusablesMergedShare(),
              a.labelled()));
    }
    b.append("</p>");
  }

  private static void row(StringBuilder b, String name, LatencySummary l) {
    b.append("<tr><td class='l'>")
        .append(esc(name))
        .append("</td><td>")
        .append(l.count())
        .append("</td><td>")
        .append(fmt(l.meanMs()))
        .append("</td><td>")
        .append(fmt(l.p50Ms()))
        .append("</td><td>")
        .append(fmt(l.p90Ms()))
        .append("</td><td>")
        .append(fmt(l.p99Ms()))
        .append("</td><td>")
        .append(fmt(l.p999Ms()))
        .append("</td><td>")
        .append(fmt(l.maxMs()))
        .append("</td></tr>");
  }

  private static String fmt(double v) {
    return CsvReport.num(Math.round(v * 1000) / 1000.0);
  }
}
