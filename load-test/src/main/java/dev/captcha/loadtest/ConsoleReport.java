package dev.captcha.loadtest;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders a {@link Report} as plain-text tables for the terminal; stateless. */
final class ConsoleReport {

  private ConsoleReport() {}

  static String render(Report report) {
    StringBuilder b = new StringBuilder();
    b.append(report.title()).append('\n');
    b.append("targets: ")
        .append(String.join(", ", report.targets()))
        .append("  connections: ")
        .append(report.connections())
        .append('\n');
    b.append("workload: ").append(report.workload()).append('\n');
    if (report.server() != null) {
      b.append("server: ").append(report.server()).append('\n');
    }
    b.append('\n');
    b.append(
        String.format(
            Locale.ROOT,
            "%-4s %-38s %9s %9s %7s %10s %9s %9s %9s %9s %9s %7s %6s%n",
            "run",
            "load",
            "sent",
            "ok",
            "failed",
            "thru r/s",
            "p50 ms",
            "p90 ms",
            "p99 ms",
            "p99.9 ms",
            "max ms",
            "exact",
            "batch"));
    List<RunResult> runs = report.runs();
    for (int i = 0; i < runs.size(); i++) {
      RunResult r = runs.get(i);
      String mark = "";
      if (report.sweep() != null) {
        mark = report.sweep().points().get(i).passed() ? " ok" : " SLO missed";
        if (report.sweep().kneeRun() != null && report.sweep().kneeRun() == i) {
          mark += " <- knee";
        }
      }
      b.append(
          String.format(
              Locale.ROOT,
              "%-4d %-38s %9d %9d %7d %10.1f %9.3f %9.3f %9.3f %9.3f %9.3f %6.1f%% %6.2f%s%n",
              i,
              r.load(),
              r.sent(),
              r.ok(),
              r.failed(),
              r.throughputRps(),
              r.latency().p50Ms(),
              r.latency().p90Ms(),
              r.latency().p99Ms(),
              r.latency().p999Ms(),
              r.latency().maxMs(),
              100 * r.accuracy().exactShare(),
              r.server().meanBatchSize(),
              mark));
    }
    RunResult f = report.featured();
    b.append('\n');
    if (!f.errorsByCode().isEmpty()) {
      b.append("errors")
          .append(runs.size() > 1 ? " (run " + runs.indexOf(f) + ")" : "")
          .append(": ");
      for (Map.Entry<String, Long> e : f.errorsByCode().entrySet()) {
        b.append(e.getKey()).append('=').append(e.getValue()).append(' ');
      }
      b.append(String.format(Locale.ROOT, "(%.3f%% of requests)%n", 100 * f.errorShare()));
    }
    if (f.harnessCpuUsPerRequest() != null && f.harnessCpuUsPerRequest() > 0) {
      b.append(
          String.format(
              Locale.ROOT,
              "harness CPU: %.1f us per request (one core could send about %.0f req/s)%n",
              f.harnessCpuUsPerRequest(),
              1e6 / f.harnessCpuUsPerRequest()));
    }
    Accuracy a = f.accuracy();
    if (a.labelled() > 0) {
      b.append(
          String.format(
              Locale.ROOT,
              "answers matching labels: exact %.2f%%, case-folded %.2f%%, look-alikes merged %.2f%%"
                  + " (of %d labelled)%n",
              100 * a.exactShare(),
              100 * a.caseFoldedShare(),
              100 * a.confusablesMergedShare(),
              a.labelled()));
    }
    ServerSide s = f.server();
    if (s.queueTime().count() > 0) {
      b.append(
          String.format(
              Locale.ROOT,
              "server: queue p50 %.3f / p99 %.3f ms, inference p50 %.3f / p99 %.3f ms,"
                  + " preprocess p50 %.3f / p99 %.3f ms%n",
              s.queueTime().p50Ms(),
              s.queueTime().p99Ms(),
              s.inferenceTime().p50Ms(),
              s.inferenceTime().p99Ms(),
              s.preprocessTime().p50Ms(),
              s.preprocessTime().p99Ms()));
      b.append("batch sizes (requests):");
      s.batchSizes().forEach((size, count) -> b.append(' ').append(size).append('x').append(count));
      b.append(String.format(Locale.ROOT, "  mean %.2f%n", s.meanBatchSize()));
    }
    if (report.sweep() != null) {
      Report.SweepSummary w = report.sweep();
      if (w.kneeRun() == null) {
        b.append(String.format(Locale.ROOT, "knee: no step met p99 <= %.3f ms%n", w.sloP99Ms()));
      } else {
        b.append(
            String.format(
                Locale.ROOT,
                "knee: %.1f req/s at %s %s (p99 %.3f ms <= SLO %.3f ms)%s%n",
                w.kneeThroughputRps(),
                w.parameter(),
                CsvReport.num(w.kneeParameter()),
                w.kneeP99Ms(),
                w.sloP99Ms(),
                w.bracketed() ? "" : "; every step met the SLO, so the knee lies higher"));
      }
    }
    return b.toString();
  }
}
