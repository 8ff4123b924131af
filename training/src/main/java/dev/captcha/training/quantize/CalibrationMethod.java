package dev.captcha.training.quantize;

import java.util.Locale;

/**
 * How an activation tensor's 8-bit range is chosen from its values on the calibration images;
 * immutable.
 */
public enum CalibrationMethod {
  /**
   * The range that minimises the expected squared quantization error over the histogram of the
   * tensor's values: rounding noise (step squared over 12) for values inside, the squared distance
   * to the edge for values clipped outside; candidates shrink the observed [min, max] by factors
   * 1/400 .. 400/400. Exact zeros (most ReLU outputs) cost nothing, as 0 is on the grid.
   */
  MSE,
  /**
   * The given percentile of the values as the top (and its complement as the bottom of signed
   * tensors).
   */
  PERCENTILE,
  /** The observed minimum and maximum. */
  MINMAX;

  /** Lower-case name as written in metadata and accepted on the command line. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
