package dev.captcha.model;

/**
 * How an image of another size is brought to the model's input size (metadata {@code
 * captcha.input.resize}); both rules stretch both axes independently, without keeping the aspect
 * ratio.
 */
public enum ResizeRule {
  /** Bilinear sampling with pixel centres aligned, whatever the direction. */
  BILINEAR_STRETCH("bilinear-stretch"),
  /**
   * Per axis: the mean over each output pixel's footprint (area averaging, every source pixel
   * weighted by the share of it that the footprint covers) where the axis shrinks, bilinear where
   * it grows or keeps its size.
   */
  AREA_STRETCH("area-stretch");

  private final String label;

  ResizeRule(String label) {
    this.label = label;
  }

  /** The metadata value. */
  public String label() {
    return label;
  }

  /** Parses a metadata value, or returns null when it names no rule. */
  public static ResizeRule parse(String label) {
    for (ResizeRule r : values()) {
      if (r.label.equals(label)) {
        return r;
      }
    }
    return null;
  }
}
