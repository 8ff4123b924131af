package dev.captcha.training.quantize;

/**
 * The distribution of one tensor's values over the calibration images, gathered in two passes (the
 * observed range, then a fixed-range histogram); mutable, used from one thread.
 */
final class Histogram {
  static final int BINS = 2048;
  static final int CANDIDATES = 400;

  private double min = Double.POSITIVE_INFINITY;
  private double max = Double.NEGATIVE_INFINITY;
  private long[] counts;
  private long zeros;
  private long total;
  private double from;
  private double width;

  /** First pass: widens the observed range to cover {@code values[0 .. n)}. */
  void observe(float[] values, int n) {
    double lo = min;
    double hi = max;
    for (int i = 0; i < n; i++) {
      float v = values[i];
      if (v < lo) {
        lo = v;
      }
      if (v > hi) {
        hi = v;
      }
    }
    min = lo;
    max = hi;
  }

  /**
   * Second pass: counts {@code values[0 .. n)} into bins over the range of the first pass (and 0).
   */
  void add(float[] values, int n) {
    if (counts == null) {
      if (!(min <= max)) {
        throw new IllegalStateException("the first pass saw no value");
      }
      from = Math.min(0, min);
      double to = Math.max(0, max);
      width = Math.max(to - from, 1e-12) / BINS;
      counts = new long[BINS];
    }
    for (int i = 0; i < n; i++) {
      float v = values[i];
      if (v == 0f) {
        zeros++;
        continue;
      }
      int b = (int) ((v - from) / width);
      counts[b < 0 ? 0 : b >= BINS ? BINS - 1 : b]++;
    }
    total += n;
  }

  /** Whether no value was negative. */
  boolean nonNegative() {
    return min >= 0;
  }

  double min() {
    return min;
  }

  double max() {
    return max;
  }

  /**
   * The range chosen by {@code method} ({@code percentile} in (50, 100] is used by PERCENTILE
   * only).
   */
  TensorRange range(CalibrationMethod method, double percentile, int levels) {
    if (counts == null) {
      throw new IllegalStateException("no histogram gathered");
    }
    double lo = Math.min(0, min);
    double hi = Math.max(0, max);
    return switch (method) {
      case MINMAX -> new TensorRange(lo, hi);
      case PERCENTILE -> percentileRange(percentile);
      case MSE -> mseRange(lo, hi, levels);
    };
  }

  private TensorRange percentileRange(double percentile) {
    double q = percentile / 100;
    double hi = nonNegative() ? quantile(q) : Math.max(0, quantile(q));
    double lo = nonNegative() ? 0 : Math.min(0, quantile(1 - q));
    return new TensorRange(lo, hi);
  }

  /**
   * The value below which a fraction {@code q} of all values (zeros included) lie, at bin
   * resolution.
   */
  private double quantile(double q) {
    double target = q * total;
    double zeroAt = -from / width;
    long seen = 0;
    boolean zerosCounted = false;
    for (int b = 0; b < BINS; b++) {
      if (!zerosCounted && b + 1 > zeroAt) {
        seen += zeros;
        zerosCounted = true;
        if (seen >= target) {
          return 0;
        }
      }
      seen += counts[b];
      if (seen >= target) {
        return from + (b + 1) * width;
      }
    }
    return from + BINS * width;
  }

  private TensorRange mseRange(double lo, double hi, int levels) {
    double bestError = Double.POSITIVE_INFINITY;
    double bestT = 1;
    for (int k = 1; k <= CANDIDATES; k++) {
      double t = (double) k / CANDIDATES;
      double error = expectedError(lo * t, hi * t, levels);
      if (error < bestError) {
        bestError = error;
        bestT = t;
      }
    }
    return new TensorRange(lo * bestT, hi * bestT);
  }

  /**
   * The expected total squared error of representing the histogram's values on {@code levels} steps
   * over [a, z]: rounding noise step^2 / 12 inside, the squared distance to the nearer edge
   * outside; exact zeros are free.
   */
  double expectedError(double a, double z, int levels) {
    double step = (z - a) / levels;
    double noise = step * step / 12;
    double error = 0;
    for (int b = 0; b < BINS; b++) {
      long n = counts[b];
      if (n == 0) {
        continue;
      }
      double c = from + (b + 0.5) * width;
      double d = c < a ? a - c : c > z ? c - z : 0;
      error += n * (d > 0 ? d * d : noise);
    }
    return error;
  }
}
