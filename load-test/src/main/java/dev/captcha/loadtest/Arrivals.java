package dev.captcha.loadtest;

import java.util.SplittableRandom;

/** How open-loop requests are spaced in time. */
enum Arrivals {
  /** Evenly spaced: one request every {@code 1/rate} seconds. */
  CONSTANT,
  /** A Poisson process: exponentially distributed gaps with mean {@code 1/rate} seconds. */
  POISSON;

  /**
   * A fresh schedule of send offsets, in nanoseconds from the start, for {@code ratePerSecond}
   * requests per second; not thread-safe (one sender thread owns it).
   */
  Schedule schedule(double ratePerSecond, long seed) {
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException("rate must be a positive number, got " + ratePerSecond);
    }
    double meanGapNanos = 1e9 / ratePerSecond;
    if (this == CONSTANT) {
      return new Schedule() {
        private long n;

        @Override
        public long nextOffsetNanos() {
          // Computed from the index, not accumulated, so rounding never drifts.
          return (long) (n++ * meanGapNanos);
        }
      };
    }
    SplittableRandom random = new SplittableRandom(seed);
    return new Schedule() {
      private double offset;
      private boolean first = true;

      @Override
      public long nextOffsetNanos() {
        if (first) {
          first = false;
          return 0;
        }
        // 1 - nextDouble() lies in (0, 1], so the logarithm is finite.
        offset += -Math.log(1.0 - random.nextDouble()) * meanGapNanos;
        return (long) offset;
      }
    };
  }

  /** An endless, non-decreasing series of send offsets. */
  interface Schedule {
    /** The offset of the next request from the start of the schedule, in nanoseconds. */
    long nextOffsetNanos();
  }
}
