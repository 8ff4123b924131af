package dev.captcha.loadtest;

import io.grpc.Channel;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * Runs the load at one {@link LoadPoint} against a set of channels it does not own: warm-up, the
 * measured phase, then waiting for requests in flight; one run at a time per instance.
 */
final class LoadRun {

  private final LoadConfig config;
  private final List<? extends Channel> channels;
  private final Workload workload;
  private final Ticker ticker;
  private final PrintWriter progress;
  private final LongSupplier harnessCpuNanos;

  /**
   * @param progress where a line per interval goes while running, or {@code null} for none
   * @param harnessCpuNanos CPU time used so far by the harness (negative when unknown)
   */
  LoadRun(
      LoadConfig config,
      List<? extends Channel> channels,
      Workload workload,
      Ticker ticker,
      PrintWriter progress,
      LongSupplier harnessCpuNanos) {
    this.config = config;
    this.channels = List.copyOf(channels);
    this.workload = workload;
    this.ticker = ticker;
    this.progress = progress;
    this.harnessCpuNanos = harnessCpuNanos;
  }

  LoadRun(
      LoadConfig config,
      List<? extends Channel> channels,
      Workload workload,
      Ticker ticker,
      PrintWriter progress) {
    this(config, channels, workload, ticker, progress, () -> -1);
  }

  RunResult run(LoadPoint point) throws InterruptedException {
    return run(point, null);
  }

  /**
   * Runs {@code point} over the HTTP/JSON port through {@code http}, or over the channels when it
   * is null.
   */
  RunResult run(LoadPoint point, HttpTarget http) throws InterruptedException {
    long start = ticker.nanoTime();
    long measureFrom = start + config.warmup().toNanos();
    long end = measureFrom + config.duration().toNanos();
    Measurements m = new Measurements(ticker, measureFrom);
    InFlight inFlight = new InFlight();
    List<IntervalStats> intervals = Collections.synchronizedList(new ArrayList<>());
    Sampler sampler = new Sampler(m, inFlight, start, measureFrom, intervals);
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(daemon("sampler"));
    ExecutorService overflow = Executors.newSingleThreadExecutor(daemon("overflow"));
    long intervalNanos = config.interval().toNanos();
    timer.scheduleAtFixedRate(sampler::tick, intervalNanos, intervalNanos, TimeUnit.NANOSECONDS);
    AtomicLong cpuAtMeasureStart = new AtomicLong(harnessCpuNanos.getAsLong());
    timer.schedule(
        () -> cpuAtMeasureStart.set(harnessCpuNanos.getAsLong()),
        Math.max(0, measureFrom - ticker.nanoTime()),
        TimeUnit.NANOSECONDS);
    RequestIssuer issuer =
        http != null
            ? new HttpIssuer(
                http.client(), http.base(), workload, m, config.deadline(), http.token())
            : config.rpc() == Rpc.UNARY
                ? new UnaryIssuer(channels, workload, m, config.deadline())
                : new StreamIssuer(channels, config.streams(), workload, m);
    int unfinished;
    long finished;
    long cpuUsed;
    try {
      if (point.open()) {
        new OpenLoopDriver(ticker, issuer, inFlight, config.maxInFlight())
            .run(config.arrivals().schedule(point.rate(), config.seed()), start, end);
      } else {
        new ClosedLoopDriver(ticker, issuer, inFlight, overflow).run(point.concurrency(), end);
      }
      if (issuer instanceof StreamIssuer s) {
        s.close();
      }
      unfinished = inFlight.awaitEmpty(ticker, ticker.nanoTime() + config.drainTimeout().toNanos());
      finished = ticker.nanoTime();
      cpuUsed = harnessCpuNanos.getAsLong() - cpuAtMeasureStart.get();
    } finally {
      timer.shutdownNow();
      overflow.shutdownNow();
      timer.awaitTermination(5, TimeUnit.SECONDS);
    }
    m.close(unfinished);
    intervals.add(m.sampleMeasured(finished));
    RunResult r =
        result(
            config,
            point,
            m,
            intervals,
            finished - measureFrom,
            http != null ? "http" : config.rpc().name().toLowerCase(Locale.ROOT));
    if (cpuAtMeasureStart.get() < 0 || cpuUsed < 0 || r.sent() == 0) {
      return r;
    }
    return r.withHarnessCpu(Math.round(cpuUsed / 1e3 / r.sent() * 100) / 100.0);
  }

  /** Summarises a run whose recording is over. */
  static RunResult result(
      LoadConfig config,
      LoadPoint point,
      Measurements m,
      List<IntervalStats> intervals,
      long elapsedNanos) {
    return result(
        config, point, m, intervals, elapsedNanos, config.rpc().name().toLowerCase(Locale.ROOT));
  }

  /**
   * As above, naming the transport the requests went over ({@code unary}, {@code stream}, {@code
   * http}).
   */
  static RunResult result(
      LoadConfig config,
      LoadPoint point,
      Measurements m,
      List<IntervalStats> intervals,
      long elapsedNanos,
      String transport) {
    Histogram ok = m.okLatency();
    Histogram failedLatency = m.failedLatency();
    Map<String, Long> errors = m.errorsByCode();
    long failed = errors.values().stream().mapToLong(Long::longValue).sum();
    double elapsedS = Math.max(elapsedNanos, 1) / 1e9;
    double seconds = Math.max(elapsedS, config.duration().toNanos() / 1e9);
    long okCount = ok.getTotalCount();
    return new RunResult(
        point + ", " + transport,
        transport,
        point.open() ? "open" : "closed",
        point.open() ? point.rate() : null,
        point.open() ? null : point.concurrency(),
        point.open() ? config.arrivals().name().toLowerCase(Locale.ROOT) : null,
        config.warmup().toNanos() / 1e9,
        config.duration().toNanos() / 1e9,
        okCount + failed,
        okCount,
        failed,
        Math.round(elapsedS * 1e3) / 1e3,
        Math.round((okCount + failed) / seconds * 10) / 10.0,
        Math.round(okCount / seconds * 10) / 10.0,
        LatencySummary.ofNanos(ok),
        LatencySummary.ofNanos(failedLatency),
        errors,
        m.accuracy(),
        m.serverSide(),
        List.copyOf(intervals),
        null,
        encode(ok));
  }

  static String encode(Histogram h) {
    ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int length = h.encodeIntoCompressedByteBuffer(buffer);
    byte[] bytes = new byte[length];
    buffer.flip();
    buffer.get(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, "load-test-" + name);
      t.setDaemon(true);
      return t;
    };
  }

  /** Samples the recorders once per interval and prints progress. */
  private final class Sampler {
    private final Measurements m;
    private final InFlight inFlight;
    private final long start;
    private final long measureFrom;
    private final List<IntervalStats> intervals;
    private final Histogram soFar = Measurements.newLatencyHistogram();
    private final long intervalNanos = config.interval().toNanos();
    private long lastWarmup;
    private boolean warmupOver;

    Sampler(
        Measurements m,
        InFlight inFlight,
        long start,
        long measureFrom,
        List<IntervalStats> intervals) {
      this.m = m;
      this.inFlight = inFlight;
      this.start = start;
      this.measureFrom = measureFrom;
      this.intervals = intervals;
      this.lastWarmup = start;
    }

    void tick() {
      long now = ticker.nanoTime();
      IntervalStats s;
      String phase;
      if (now - measureFrom < intervalNanos / 2) {
        // Still warming up, or measuring for too short a time to report: measured requests
        // stay in their recorder and go into the next interval.
        s = m.sampleWarmup(lastWarmup, now);
        lastWarmup = now;
        phase = "warm-up";
      } else {
        if (!warmupOver) {
          m.sampleWarmup(lastWarmup, now); // the rest of the warm-up, discarded
          warmupOver = true;
        }
        s = m.sampleMeasured(now);
        intervals.add(s);
        phase = "measure";
      }
      if (progress != null) {
        double p99SoFar;
        if (phase.equals("measure")) {
          soFar.reset();
          soFar.add(m.okLatency());
          p99SoFar = soFar.getTotalCount() == 0 ? 0 : soFar.getValueAtPercentile(99) / 1e6;
        } else {
          p99SoFar = s.p99Ms();
        }
        progress.printf(
            Locale.ROOT,
            "[%7.1fs] %-7s %9.1f req/s  p99 so far %9.3f ms  errors %d  in flight %d%n",
            (now - start) / 1e9,
            phase,
            s.throughputRps(),
            p99SoFar,
            s.errors(),
            inFlight.get());
        progress.flush();
      }
    }
  }
}
