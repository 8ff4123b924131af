package dev.captcha.loadtest;

import java.util.Locale;

/**
 * How hard one run pushes: an open loop at a fixed rate, or a closed loop with a fixed number of
 * requests in flight; immutable.
 */
record LoadPoint(boolean open, double rate, int concurrency) {

  LoadPoint {
    if (open && !(rate > 0 && Double.isFinite(rate))) {
      throw new IllegalArgumentException("--rate must be a positive number, got " + rate);
    }
    if (!open && concurrency < 1) {
      throw new IllegalArgumentException("--concurrency must be at least 1, got " + concurrency);
    }
  }

  static LoadPoint openLoop(double rate) {
    return new LoadPoint(true, rate, 0);
  }

  static LoadPoint closedLoop(int concurrency) {
    return new LoadPoint(false, 0, concurrency);
  }

  /** The swept parameter's value: the rate, or the concurrency. */
  double parameter() {
    return open ? rate : concurrency;
  }

  @Override
  public String toString() {
    return open
        ? String.format(Locale.ROOT, "open loop %.1f req/s", rate)
        : "closed loop, concurrency " + concurrency;
  }
}
