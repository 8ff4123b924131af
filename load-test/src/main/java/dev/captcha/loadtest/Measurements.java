package dev.captcha.loadtest;

import com.google.protobuf.Duration;
import dev.captcha.api.v1.SolveResponse;
import dev.captcha.api.v1.Timing;
import dev.captcha.model.Tally;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Records the outcome of every request of one run into HdrHistogram recorders, split into the
 * warm-up and the measured phase by each request's intended start; thread-safe (recording is
 * wait-free, sampling is serialised).
 *
 * <p>Failures are counted by status code and their latencies kept in their own histogram, so no
 * request sent in the measured phase disappears from the results.
 */
final class Measurements {

  /** Error key for requests that had no answer when the run gave up waiting. */
  static final String UNFINISHED = "UNFINISHED";

  static final long LOWEST_NANOS = 1_000;
  static final long HIGHEST_NANOS = 3_600_000_000_000L;
  static final long HIGHEST_BATCH = 1_000_000;

  private final Ticker ticker;
  private final Phase warmup = new Phase();
  private final Phase measured = new Phase();
  private final Totals totals = new Totals();
  private volatile long measureFromNanos;
  private volatile boolean closed;
  private long lastSampleNanos;

  Measurements(Ticker ticker, long measureFromNanos) {
    this.ticker = ticker;
    this.measureFromNanos = measureFromNanos;
    this.lastSampleNanos = measureFromNanos;
  }

  /** Records a successful answer; {@code label} is null when the image has none. */
  void recordSuccess(long intendedNanos, String label, SolveResponse response) {
    long end = ticker.nanoTime();
    if (closed) {
      return;
    }
    Phase p = phase(intendedNanos);
    p.ok.recordValue(clampNanos(end - intendedNanos));
    if (response.hasTiming()) {
      Timing t = response.getTiming();
      p.queue.recordValue(clampNanos(nanos(t.getQueueTime())));
      p.inference.recordValue(clampNanos(nanos(t.getInferenceTime())));
      p.preprocess.recordValue(clampNanos(nanos(t.getPreprocessTime())));
      if (t.getBatchSize() > 0) {
        p.batch.recordValue(Math.min(t.getBatchSize(), HIGHEST_BATCH));
      }
    }
    if (label != null) {
      String text = response.getText();
      p.labelled.increment();
      if (label.equals(text)) {
        p.exact.increment();
      }
      if (Tally.foldedMatch(label, text)) {
        p.folded.increment();
      }
      if (Tally.mergedMatch(label, text)) {
        p.merged.increment();
      }
    }
  }

  /** Records a failed request under its status code name (for example {@code UNAVAILABLE}). */
  void recordFailure(long intendedNanos, String code) {
    long end = ticker.nanoTime();
    if (closed) {
      return;
    }
    Phase p = phase(intendedNanos);
    p.failed.recordValue(clampNanos(end - intendedNanos));
    p.errors.computeIfAbsent(code, k -> new LongAdder()).increment();
  }

  /**
   * Stops recording: later completions are ignored, and {@code unfinished} requests still in flight
   * are counted as failures under {@link #UNFINISHED}.
   */
  void close(int unfinished) {
    closed = true;
    if (unfinished > 0) {
      measured.errors.computeIfAbsent(UNFINISHED, k -> new LongAdder()).add(unfinished);
    }
  }

  private Phase phase(long intendedNanos) {
    return intendedNanos - measureFromNanos < 0 ? warmup : measured;
  }

  /**
   * Closes the current interval of the measured phase at {@code nowNanos}, folds it into the totals
   * and describes it; timed relative to the start of measurement.
   */
  synchronized IntervalStats sampleMeasured(long nowNanos) {
    Histogram ok = measured.ok.getIntervalHistogram();
    Histogram failed = measured.failed.getIntervalHistogram();
    Histogram batch = measured.batch.getIntervalHistogram();
    totals.ok.add(ok);
    totals.failed.add(failed);
    totals.batch.add(batch);
    totals.queue.add(measured.queue.getIntervalHistogram());
    totals.inference.add(measured.inference.getIntervalHistogram());
    totals.preprocess.add(measured.preprocess.getIntervalHistogram());
    IntervalStats s = describe(lastSampleNanos, nowNanos, ok, failed, batch);
    lastSampleNanos = nowNanos;
    return s;
  }

  /** Describes and discards the warm-up phase's current interval (for progress output only). */
  synchronized IntervalStats sampleWarmup(long fromNanos, long nowNanos) {
    Histogram ok = warmup.ok.getIntervalHistogram();
    Histogram failed = warmup.failed.getIntervalHistogram();
    Histogram batch = warmup.batch.getIntervalHistogram();
    return describe(fromNanos, nowNanos, ok, failed, batch);
  }

  private IntervalStats describe(
      long fromNanos, long toNanos, Histogram ok, Histogram failed, Histogram batch) {
    double seconds = Math.max(1e-9, (toNanos - fromNanos) / 1e9);
    long n = ok.getTotalCount() + failed.getTotalCount();
    LatencySummary l = LatencySummary.ofNanos(ok);
    return new IntervalStats(
        round3((fromNanos - measureFromNanos) / 1e9),
        round3((toNanos - measureFromNanos) / 1e9),
        ok.getTotalCount(),
        failed.getTotalCount(),
        round3(n / seconds),
        l.p50Ms(),
        l.p90Ms(),
        l.p99Ms(),
        l.maxMs(),
        batch.getTotalCount() == 0 ? 0 : round3(batch.getMean()));
  }

  /** Latencies of successful measured requests folded in by the samples so far (a copy). */
  synchronized Histogram okLatency() {
    return totals.ok.copy();
  }

  /** Latencies of failed measured requests folded in by the samples so far (a copy). */
  synchronized Histogram failedLatency() {
    return totals.failed.copy();
  }

  /** Failed measured requests by status code name, in name order. */
  Map<String, Long> errorsByCode() {
    Map<String, Long> out = new TreeMap<>();
    measured.errors.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** Label matches among measured successful requests. */
  Accuracy accuracy() {
    return new Accuracy(
        measured.labelled.sum(),
        measured.exact.sum(),
        measured.folded.sum(),
        measured.merged.sum());
  }

  /** The server-side timing distributions folded in by the samples so far. */
  synchronized ServerSide serverSide() {
    TreeMap<Integer, Long> sizes = new TreeMap<>();
    for (var v : totals.batch.recordedValues()) {
      sizes.put((int) v.getValueIteratedTo(), v.getCountAtValueIteratedTo());
    }
    return new ServerSide(
        LatencySummary.ofNanos(totals.queue),
        LatencySummary.ofNanos(totals.inference),
        LatencySummary.ofNanos(totals.preprocess),
        sizes,
        totals.batch.getTotalCount() == 0 ? 0 : round3(totals.batch.getMean()));
  }

  static long nanos(Duration d) {
    return d.getSeconds() * 1_000_000_000L + d.getNanos();
  }

  private static long clampNanos(long v) {
    return Math.max(LOWEST_NANOS, Math.min(HIGHEST_NANOS, v));
  }

  private static double round3(double v) {
    return Math.round(v * 1e3) / 1e3;
  }

  static Histogram newLatencyHistogram() {
    return new Histogram(LOWEST_NANOS, HIGHEST_NANOS, 3);
  }

  private static final class Phase {
    final Recorder ok = new Recorder(LOWEST_NANOS, HIGHEST_NANOS, 3);
    final Recorder failed = new Recorder(LOWEST_NANOS, HIGHEST_NANOS, 3);
    final Recorder queue = new Recorder(LOWEST_NANOS, HIGHEST_NANOS, 3);
    final Recorder inference = new Recorder(LOWEST_NANOS, HIGHEST_NANOS, 3);
    final Recorder preprocess = new Recorder(LOWEST_NANOS, HIGHEST_NANOS, 3);
    final Recorder batch = new Recorder(1, HIGHEST_BATCH, 3);
    final ConcurrentHashMap<String, LongAdder> errors = new ConcurrentHashMap<>();
    final LongAdder labelled = new LongAdder();
    final LongAdder exact = new LongAdder();
    final LongAdder folded = new LongAdder();
    final LongAdder merged = new LongAdder();
  }

  private static final class Totals {
    final Histogram ok = newLatencyHistogram();
    final Histogram failed = newLatencyHistogram();
    final Histogram queue = newLatencyHistogram();
    final Histogram inference = newLatencyHistogram();
    final Histogram preprocess = newLatencyHistogram();
    final Histogram batch = new Histogram(1, HIGHEST_BATCH, 3);
  }
}
