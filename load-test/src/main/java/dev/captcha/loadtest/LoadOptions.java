package dev.captcha.loadtest;

import dev.captcha.cli.DurationConverter;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/** The load-shape options shared by the commands; filled by picocli, then turned into config. */
final class LoadOptions {

  @Option(
      names = "--rpc",
      defaultValue = "unary",
      description =
          "unary (one Solve call per image) or stream (SolveStream). Default: ${DEFAULT-VALUE}.")
  Rpc rpc;

  @Option(
      names = "--protocol",
      split = ",",
      defaultValue = "grpc",
      description =
          "grpc, http (POST /v1/solve to --http-target) or both as grpc,http: each load"
              + " point runs once per protocol, one after the other, so they compare in one run."
              + " Default: ${DEFAULT-VALUE}.")
  List<Protocol> protocols;

  @Option(
      names = "--rate",
      description = "Open loop: requests per second, each timed from its scheduled send.")
  Double rate;

  @Option(
      names = "--concurrency",
      description =
          "Closed loop: requests kept in flight (default 32 when neither --rate nor a sweep is given).")
  Integer concurrency;

  @Option(
      names = "--arrivals",
      defaultValue = "constant",
      description = "Open-loop spacing: constant or poisson. Default: ${DEFAULT-VALUE}.")
  Arrivals arrivals;

  @Option(
      names = "--duration",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "Measured time of each run. Default: ${DEFAULT-VALUE}.")
  Duration duration;

  @Option(
      names = "--warmup",
      defaultValue = "5s",
      converter = DurationConverter.class,
      description = "Time before measuring; its requests are excluded. Default: ${DEFAULT-VALUE}.")
  Duration warmup;

  @Option(
      names = "--deadline",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description = "Deadline of each unary call (0 for none). Default: ${DEFAULT-VALUE}.")
  Duration deadline;

  @Option(
      names = "--connections",
      defaultValue = "2",
      description =
          "Channels (connections per target) to spread requests over. Default: ${DEFAULT-VALUE}.")
  int connections;

  @Option(
      names = "--event-loop-threads",
      defaultValue = "0",
      description =
          "Client I/O threads shared by all connections (0: grpc-java's default pool). Default: ${DEFAULT-VALUE}.")
  int eventLoopThreads;

  @Option(
      names = "--streams",
      description = "Concurrent SolveStream calls with --rpc stream (default: --connections).")
  Integer streams;

  @Option(
      names = "--max-in-flight",
      defaultValue = "10000",
      description =
          "Open loop: most requests in flight; at the cap the sender waits, and the wait counts in latency. Default: ${DEFAULT-VALUE}.")
  int maxInFlight;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Seed of the Poisson arrivals. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--interval",
      defaultValue = "1s",
      converter = DurationConverter.class,
      description = "Reporting interval (progress and time series). Default: ${DEFAULT-VALUE}.")
  Duration interval;

  @Option(
      names = "--drain-timeout",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description =
          "How long to wait for requests in flight after a run; those still unanswered count as UNFINISHED errors. Default: ${DEFAULT-VALUE}.")
  Duration drainTimeout;

  @Option(
      names = "--sweep-rates",
      paramLabel = "LIST",
      description =
          "Sweep open-loop rates, e.g. 100,200,400 or 100:1000:100 (from:to:step), and search for the knee.")
  String sweepRates;

  @Option(
      names = "--sweep-concurrency",
      paramLabel = "LIST",
      description = "Sweep closed-loop concurrency, e.g. 1,2,4,8,16, and search for the knee.")
  String sweepConcurrency;

  @Option(
      names = "--slo",
      defaultValue = "100ms",
      converter = DurationConverter.class,
      description = "Sweep: the p99 latency a step must stay under. Default: ${DEFAULT-VALUE}.")
  Duration slo;

  @Option(
      names = "--slo-max-errors",
      defaultValue = "0.001",
      description =
          "Sweep: largest share of failed requests a passing step may have. Default: ${DEFAULT-VALUE}.")
  double sloMaxErrors;

  @Option(
      names = "--refine",
      defaultValue = "3",
      description =
          "Sweep: bisection steps between the last passing and first failing value. Default: ${DEFAULT-VALUE}.")
  int refine;

  LoadConfig config() {
    return new LoadConfig(
        rpc,
        duration,
        warmup,
        deadline.isZero() ? null : deadline,
        streams == null ? connections : streams,
        maxInFlight,
        arrivals,
        seed,
        interval,
        drainTimeout);
  }

  /** The single load point, or {@code null} when a sweep is asked for. */
  LoadPoint point() {
    int given =
        (rate != null ? 1 : 0)
            + (concurrency != null ? 1 : 0)
            + (sweepRates != null ? 1 : 0)
            + (sweepConcurrency != null ? 1 : 0);
    if (given > 1) {
      throw new IllegalArgumentException(
          "give only one of --rate, --concurrency, --sweep-rates, --sweep-concurrency");
    }
    if (rate != null) {
      return LoadPoint.openLoop(rate);
    }
    if (sweepRates != null || sweepConcurrency != null) {
      return null;
    }
    return LoadPoint.closedLoop(concurrency == null ? 32 : concurrency);
  }

  /** The knee search for a sweep; only valid when {@link #point()} is null. */
  KneeSearch sweep() {
    boolean rates = sweepRates != null;
    List<Double> series = KneeSearch.parseSeries(rates ? sweepRates : sweepConcurrency);
    return new KneeSearch(series, !rates, slo.toNanos() / 1e6, sloMaxErrors, refine);
  }

  LoadPoint sweepPoint(double parameter) {
    return sweepRates != null
        ? LoadPoint.openLoop(parameter)
        : LoadPoint.closedLoop((int) parameter);
  }

  String sweepParameter() {
    return sweepRates != null ? "rate" : "concurrency";
  }
}
