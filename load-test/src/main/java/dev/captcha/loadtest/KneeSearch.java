package dev.captcha.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Finds the knee of a sweep: the highest throughput whose p99 stays under the SLO (with few enough
 * errors). Tries the given series in increasing order until a step fails, then bisects between the
 * last passing and the first failing value; not thread-safe (one sweep owns it).
 */
final class KneeSearch {

  /** One tried value and what it gave. */
  record Step(double parameter, RunResult result, boolean passed) {}

  private final List<Double> series;
  private final boolean integral;
  private final double sloP99Ms;
  private final double maxErrorShare;
  private int refineLeft;
  private final List<Step> steps = new ArrayList<>();
  private int seriesIndex;
  private boolean failedOnce;
  private double lo;
  private double hi;

  /**
   * @param series values to try, in any order (sorted ascending here)
   * @param integral whether values must be whole numbers (concurrency)
   * @param refineSteps bisection steps after the series brackets the knee
   */
  KneeSearch(
      List<Double> series,
      boolean integral,
      double sloP99Ms,
      double maxErrorShare,
      int refineSteps) {
    if (series.isEmpty()) {
      throw new IllegalArgumentException("the sweep needs at least one value");
    }
    for (double v : series) {
      if (!(v > 0) || Double.isInfinite(v) || (integral && v != Math.rint(v))) {
        throw new IllegalArgumentException(
            "sweep values must be positive" + (integral ? " whole numbers" : "") + ", got " + v);
      }
    }
    if (!(sloP99Ms > 0)) {
      throw new IllegalArgumentException("--slo must be positive");
    }
    if (!(maxErrorShare >= 0 && maxErrorShare <= 1)) {
      throw new IllegalArgumentException("--slo-max-errors must lie in [0, 1]");
    }
    if (refineSteps < 0) {
      throw new IllegalArgumentException("--refine must not be negative");
    }
    this.series = series.stream().distinct().sorted().toList();
    this.integral = integral;
    this.sloP99Ms = sloP99Ms;
    this.maxErrorShare = maxErrorShare;
    this.refineLeft = refineSteps;
  }

  /** Whether a run meets the SLO: p99 under it and errors within the allowed share. */
  boolean passes(RunResult r) {
    return r.ok() > 0 && r.latency().p99Ms() <= sloP99Ms && r.errorShare() <= maxErrorShare;
  }

  /** The next value to try, or empty when the search is over. */
  OptionalDouble next() {
    if (!failedOnce) {
      return seriesIndex < series.size()
          ? OptionalDouble.of(series.get(seriesIndex))
          : OptionalDouble.empty();
    }
    if (refineLeft <= 0) {
      return OptionalDouble.empty();
    }
    double mid = (lo + hi) / 2;
    if (integral) {
      mid = Math.floor(mid);
      if (mid <= lo || mid >= hi || mid < 1) {
        return OptionalDouble.empty();
      }
    }
    return OptionalDouble.of(mid);
  }

  /** Records the outcome of trying {@code parameter} (the value {@link #next()} gave). */
  Step record(double parameter, RunResult result) {
    boolean passed = passes(result);
    Step step = new Step(parameter, result, passed);
    steps.add(step);
    if (!failedOnce) {
      seriesIndex++;
      if (!passed) {
        failedOnce = true;
        hi = parameter;
        lo = steps.stream().filter(Step::passed).mapToDouble(Step::parameter).max().orElse(0);
      }
    } else {
      refineLeft--;
      if (passed) {
        lo = Math.max(lo, parameter);
      } else {
        hi = Math.min(hi, parameter);
      }
    }
    return step;
  }

  /** Every step so far, in the order tried. */
  List<Step> steps() {
    return List.copyOf(steps);
  }

  /** Whether some step failed, so the knee lies below the highest value tried. */
  boolean bracketed() {
    return failedOnce;
  }

  /** The passing step with the highest throughput, if any passed. */
  Optional<Step> knee() {
    Step best = null;
    for (Step s : steps) {
      if (s.passed()
          && (best == null || s.result().throughputRps() > best.result().throughputRps())) {
        best = s;
      }
    }
    return Optional.ofNullable(best);
  }

  /** Parses a list such as {@code 100,200,400} or {@code 100:1000:100} (from:to:step). */
  static List<Double> parseSeries(String text) {
    List<Double> out = new ArrayList<>();
    for (String part : text.split(",")) {
      String p = part.strip();
      if (p.isEmpty()) {
        continue;
      }
      String[] range = p.split(":");
      try {
        if (range.length == 1) {
          out.add(Double.parseDouble(p));
        } else if (range.length == 3) {
          double from = Double.parseDouble(range[0]);
          double to = Double.parseDouble(range[1]);
          double step = Double.parseDouble(range[2]);
          if (!(step > 0) || to < from || (to - from) / step > 10_000) {
            throw new IllegalArgumentException("bad range '" + p + "': need from <= to, step > 0");
          }
          for (int i = 0; from + i * step <= to + 1e-9; i++) {
            out.add(from + i * step);
          }
        } else {
          throw new IllegalArgumentException("bad sweep value '" + p + "'");
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad sweep value '" + p + "': not a number");
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("the sweep list '" + text + "' holds no values");
    }
    return out;
  }
}
