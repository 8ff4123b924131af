package dev.captcha.loadtest;

import dev.captcha.api.v1.CaptchaSolverGrpc;
import dev.captcha.api.v1.GetModelInfoRequest;
import dev.captcha.api.v1.ModelInfo;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Runs what the command line asked for (one run or a sweep) over channels it does not own, then
 * prints and writes the reports; one invocation per instance.
 */
final class Harness {

  private final LoadOptions load;
  private final ReportOptions reports;
  private final PrintWriter out;
  private final PrintWriter err;
  private final Ticker ticker;
  private final LongSupplier harnessCpuNanos;

  /**
   * @param harnessCpuNanos CPU time used so far by the harness (negative when unknown)
   */
  Harness(
      LoadOptions load,
      ReportOptions reports,
      PrintWriter out,
      PrintWriter err,
      Ticker ticker,
      LongSupplier harnessCpuNanos) {
    this.load = load;
    this.reports = reports;
    this.out = out;
    this.err = err;
    this.ticker = ticker;
    this.harnessCpuNanos = harnessCpuNanos;
  }

  Report execute(
      List<? extends Channel> channels, Workload workload, List<String> targets, int connections)
      throws InterruptedException, IOException {
    return execute(channels, null, workload, targets, connections);
  }

  /**
   * As above; with {@code http}, the protocols of {@code --protocol} run one after the other at
   * each load point.
   */
  Report execute(
      List<? extends Channel> channels,
      HttpTarget http,
      Workload workload,
      List<String> targets,
      int connections)
      throws InterruptedException, IOException {
    List<Protocol> protocols =
        load.protocols == null || load.protocols.isEmpty()
            ? List.of(Protocol.GRPC)
            : List.copyOf(load.protocols);
    LoadConfig config = load.config();
    LoadPoint point = load.point();
    KneeSearch search = point == null ? load.sweep() : null;
    String startedAt = Instant.now().toString();
    String server = describeServer(channels.get(0));
    err.println("workload: " + workload.description());
    if (server != null) {
      err.println("server: " + server);
    }
    LoadRun run =
        new LoadRun(
            config, channels, workload, ticker, reports.quiet ? null : err, harnessCpuNanos);
    List<RunResult> results = new ArrayList<>();
    Report.SweepSummary sweep = null;
    if (point != null) {
      for (Protocol protocol : protocols) {
        err.println("running " + point + " over " + protocol.name().toLowerCase(Locale.ROOT));
        results.add(run.run(point, protocol == Protocol.HTTP ? http : null));
      }
    } else {
      if (protocols.size() != 1) {
        throw new IllegalArgumentException("a sweep runs one --protocol at a time");
      }
      HttpTarget sweepHttp = protocols.get(0) == Protocol.HTTP ? http : null;
      OptionalDouble next;
      while ((next = search.next()).isPresent()) {
        LoadPoint p = load.sweepPoint(next.getAsDouble());
        err.println("sweep step " + (results.size() + 1) + ": " + p);
        RunResult r = run.run(p, sweepHttp);
        KneeSearch.Step step = search.record(next.getAsDouble(), r);
        results.add(r);
        err.printf(
            Locale.ROOT,
            "  -> %.1f req/s, p99 %.3f ms, errors %d: %s%n",
            r.throughputRps(),
            r.latency().p99Ms(),
            r.failed(),
            step.passed() ? "meets the SLO" : "misses the SLO");
      }
      sweep = summary(search, results);
    }
    Report report =
        new Report(
            reports.title,
            startedAt,
            targets,
            connections,
            workload.description(),
            server,
            results,
            sweep);
    out.print(ConsoleReport.render(report));
    out.flush();
    write(report);
    return report;
  }

  private Report.SweepSummary summary(KneeSearch search, List<RunResult> results) {
    List<Report.Point> points =
        search.steps().stream().map(s -> new Report.Point(s.parameter(), s.passed())).toList();
    var knee = search.knee();
    Integer kneeRun = knee.map(k -> results.indexOf(k.result())).orElse(null);
    return new Report.SweepSummary(
        load.sweepParameter(),
        load.slo.toNanos() / 1e6,
        load.sloMaxErrors,
        points,
        search.bracketed(),
        kneeRun,
        knee.map(KneeSearch.Step::parameter).orElse(null),
        knee.map(k -> k.result().throughputRps()).orElse(null),
        knee.map(k -> k.result().latency().p99Ms()).orElse(null));
  }

  private void write(Report report) throws IOException {
    if (reports.json != null) {
      JsonReport.write(report, reports.json);
      err.println("wrote " + reports.json);
    }
    if (reports.csv != null) {
      CsvReport.writeRuns(report, reports.csv);
      err.println("wrote " + reports.csv);
    }
    if (reports.csvIntervals != null) {
      CsvReport.writeIntervals(report, reports.csvIntervals);
      err.println("wrote " + reports.csvIntervals);
    }
    if (reports.html != null) {
      HtmlReport.write(report, reports.html);
      err.println("wrote " + reports.html);
    }
  }

  /**
   * Asks the server what it serves, so the report says what was measured; fails fast when the
   * server cannot be reached.
   */
  static String describeServer(Channel channel) {
    try {
      ModelInfo info =
          CaptchaSolverGrpc.newBlockingStub(channel)
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .getModelInfo(GetModelInfoRequest.getDefaultInstance());
      StringBuilder b = new StringBuilder();
      b.append(info.getName()).append(' ').append(info.getVersion());
      if (!info.getExecutionProvider().isEmpty()) {
        b.append(", ").append(info.getExecutionProvider());
      }
      if (info.hasBatching()) {
        b.append(
            String.format(
                Locale.ROOT,
                ", batching max %d, delay %d us, %d instance(s), mode %s",
                info.getBatching().getMaxBatchSize(),
                Measurements.nanos(info.getBatching().getMaxQueueDelay()) / 1000,
                info.getBatching().getInstances(),
                info.getBatching().getMode().isEmpty() ? "fixed" : info.getBatching().getMode()));
      }
      return b.toString();
    } catch (StatusRuntimeException e) {
      switch (e.getStatus().getCode()) {
        case UNIMPLEMENTED, PERMISSION_DENIED:
          return null;
        default:
          throw new IllegalStateException(
              "cannot reach the server (GetModelInfo failed: " + e.getStatus() + ")", e);
      }
    }
  }
}
