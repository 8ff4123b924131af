package dev.captcha.training.quantize;

/**
 * The calibrated real range [lo, hi] of one tensor, mapped onto the 8-bit grid; immutable.
 *
 * @param lo the smallest value represented (at most 0)
 * @param hi the largest value represented (at least 0)
 */
public record TensorRange(double lo, double hi) {
  public TensorRange {
    if (!(lo <= 0) || !(hi >= 0) || !Double.isFinite(lo) || !Double.isFinite(hi)) {
      throw new IllegalArgumentException(
          "a tensor range must be finite and contain 0, got [" + lo + ", " + hi + "]");
    }
  }
}
