package dev.captcha.loadtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes a {@link Report} as CSV: one row per run, or one row per interval; stateless. */
final class CsvReport {

  static final String RUNS_HEADER =
      "run,mode,rpc,rate_rps,concurrency,passed_slo,sent,ok,failed,error_share,throughput_rps,"
          + "goodput_rps,p50_ms,p90_ms,p99_ms,p999_ms,max_ms,exact_share,mean_batch_size,"
          + "queue_p99_ms,inference_p99_ms,errors";

  static final String INTERVALS_HEADER =
      "run,start_s,end_s,ok,errors,throughput_rps,p50_ms,p90_ms,p99_ms,max_ms,mean_batch_size";

  private CsvReport() {}

  /** One row per run with its summary. */
  static String runs(Report report) {
    StringBuilder b = new StringBuilder(RUNS_HEADER).append('\n');
    List<RunResult> runs = report.runs();
    for (int i = 0; i < runs.size(); i++) {
      RunResult r = runs.get(i);
      String passed =
          report.sweep() == null ? "" : String.valueOf(report.sweep().points().get(i).passed());
      b.append(i)
          .append(',')
          .append(r.mode())
          .append(',')
          .append(r.rpc())
          .append(',')
          .append(r.rateRps() == null ? "" : num(r.rateRps()))
          .append(',')
          .append(r.concurrency() == null ? "" : r.concurrency())
          .append(',')
          .append(passed)
          .append(',')
          .append(r.sent())
          .append(',')
          .append(r.ok())
          .append(',')
          .append(r.failed())
          .append(',')
          .append(num(r.errorShare()))
          .append(',')
          .append(num(r.throughputRps()))
          .append(',')
          .append(num(r.goodputRps()))
          .append(',')
          .append(num(r.latency().p50Ms()))
          .append(',')
          .append(num(r.latency().p90Ms()))
          .append(',')
          .append(num(r.latency().p99Ms()))
          .append(',')
          .append(num(r.latency().p999Ms()))
          .append(',')
          .append(num(r.latency().maxMs()))
          .append(',')
          .append(num(r.accuracy().exactShare()))
          .append(',')
          .append(num(r.server().meanBatchSize()))
          .append(',')
          .append(num(r.server().queueTime().p99Ms()))
          .append(',')
          .append(num(r.server().inferenceTime().p99Ms()))
          .append(',')
          .append(quote(errors(r.errorsByCode())))
          .append('\n');
    }
    return b.toString();
  }

  /** One row per reporting interval of every run. */
  static String intervals(Report report) {
    StringBuilder b = new StringBuilder(INTERVALS_HEADER).append('\n');
    List<RunResult> runs = report.runs();
    for (int i = 0; i < runs.size(); i++) {
      for (IntervalStats s : runs.get(i).intervals()) {
        b.append(i)
            .append(',')
            .append(num(s.startS()))
            .append(',')
            .append(num(s.endS()))
            .append(',')
            .append(s.ok())
            .append(',')
            .append(s.errors())
            .append(',')
            .append(num(s.throughputRps()))
            .append(',')
            .append(num(s.p50Ms()))
            .append(',')
            .append(num(s.p90Ms()))
            .append(',')
            .append(num(s.p99Ms()))
            .append(',')
            .append(num(s.maxMs()))
            .append(',')
            .append(num(s.meanBatchSize()))
            .append('\n');
      }
    }
    return b.toString();
  }

  static void writeRuns(Report report, Path file) throws IOException {
    Files.writeString(file, runs(report), StandardCharsets.UTF_8);
  }

  static void writeIntervals(Report report, Path file) throws IOException {
    Files.writeString(file, intervals(report), StandardCharsets.UTF_8);
  }

  private static String errors(Map<String, Long> byCode) {
    StringBuilder b = new StringBuilder();
    byCode.forEach((k, v) -> b.append(b.length() == 0 ? "" : " ").append(k).append('=').append(v));
    return b.toString();
  }

  private static String quote(String s) {
    return s.isEmpty() ? "" : '"' + s.replace("\"", "\"\"") + '"';
  }

  static String num(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%.4f", v).replaceAll("0+$", "");
  }
}
