package dev.captcha.loadtest;

import org.HdrHistogram.Histogram;

/** Percentiles of one latency histogram in milliseconds; immutable. */
record LatencySummary(
    long count,
    double meanMs,
    double p50Ms,
    double p90Ms,
    double p99Ms,
    double p999Ms,
    double maxMs) {

  static final LatencySummary EMPTY = new LatencySummary(0, 0, 0, 0, 0, 0, 0);

  /** Summarises a histogram of nanosecond values. */
  static LatencySummary ofNanos(Histogram h) {
    if (h.getTotalCount() == 0) {
      return EMPTY;
    }
    return new LatencySummary(
        h.getTotalCount(),
        ms(h.getMean()),
        ms(h.getValueAtPercentile(50)),
        ms(h.getValueAtPercentile(90)),
        ms(h.getValueAtPercentile(99)),
        ms(h.getValueAtPercentile(99.9)),
        ms(h.getMaxValue()));
  }

  private static double ms(double nanos) {
    return Math.round(nanos / 1e3) / 1e3;
  }
}
