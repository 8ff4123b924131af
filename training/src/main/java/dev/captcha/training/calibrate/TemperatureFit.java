package dev.captcha.training.calibrate;

/**
 * Temperature scaling: the {@code T} that minimises the mean per-position negative log-likelihood
 * of the true classes under {@code softmax(logits / T)}, found by golden-section search over {@code
 * log T} (the likelihood is convex in {@code 1/T}, so it has one minimum along {@code log T}).
 * Stateless; the static methods are thread-safe.
 */
public final class TemperatureFit {

  /** The smallest temperature searched. */
  public static final double MIN = 0.05;

  /** The largest temperature searched. */
  public static final double MAX = 20;

  private static final int STEPS = 50;
  private static final double GOLDEN = (Math.sqrt(5) - 1) / 2;

  private TemperatureFit() {}

  /**
   * Mean negative log-likelihood (natural log) of the true classes over all positions.
   *
   * @param logits {@code positions * classes} floats, one row of class logits per position
   * @param targets the true class index of each position
   * @param classes classes per position
   * @param temperature the logits are divided by it
   */
  public static double nll(float[] logits, int[] targets, int classes, double temperature) {
    check(logits, targets, classes);
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException(
          "temperature must be positive and finite, got " + temperature);
    }
    double inv = 1 / temperature;
    double total = 0;
    for (int p = 0; p < targets.length; p++) {
      int base = p * classes;
      float max = Float.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        max = Math.max(max, logits[base + c]);
      }
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        sum += Math.exp((logits[base + c] - max) * inv);
      }
      total += Math.log(sum) - (logits[base + targets[p]] - max) * inv;
    }
    return total / targets.length;
  }

  /**
   * The temperature in [{@link #MIN}, {@link #MAX}] with the least {@link #nll}.
   *
   * @throws IllegalArgumentException if there are no positions, the sizes disagree or a target is
   *     not a class index
   */
  public static double fit(float[] logits, int[] targets, int classes) {
    check(logits, targets, classes);
    double lo = Math.log(MIN);
    double hi = Math.log(MAX);
    double a = hi - GOLDEN * (hi - lo);
    double b = lo + GOLDEN * (hi - lo);
    double fa = nll(logits, targets, classes, Math.exp(a));
    double fb = nll(logits, targets, classes, Math.exp(b));
    for (int i = 0; i < STEPS; i++) {
      if (fa <= fb) {
        hi = b;
        b = a;
        fb = fa;
        a = hi - GOLDEN * (hi - lo);
        fa = nll(logits, targets, classes, Math.exp(a));
      } else {
        lo = a;
        a = b;
        fa = fb;
        b = lo + GOLDEN * (hi - lo);
        fb = nll(logits, targets, classes, Math.exp(b));
      }
    }
    return Math.exp((lo + hi) / 2);
  }

  private static void check(float[] logits, int[] targets, int classes) {
    if (classes < 1) {
      throw new IllegalArgumentException("classes must be >= 1, got " + classes);
    }
    if (targets.length == 0) {
      throw new IllegalArgumentException("no positions to fit a temperature on");
    }
    if (logits.length != (long) targets.length * classes) {
      throw new IllegalArgumentException(
          logits.length
              + " logits are not "
              + targets.length
              + " positions of "
              + classes
              + " classes");
    }
    for (int t : targets) {
      if (t < 0 || t >= classes) {
        throw new IllegalArgumentException("target " + t + " is not a class index");
      }
    }
  }
}
