package dev.captcha.model;

/**
 * How an image becomes the model's input tensor of one item, {@code [channels, height, width]};
 * immutable. A channel value v in 0..255 becomes {@code (v * scale - mean) / std}.
 */
public record InputSpec(
    int channels, int height, int width, ColorMode color, float scale, float mean, float std) {

  /** Validates the shape and the normalisation. */
  public InputSpec {
    if (height < 1 || width < 1) {
      throw new IllegalArgumentException(
          "input size must be positive, got " + width + "x" + height);
    }
    if (color.channels() != channels) {
      throw new IllegalArgumentException(
          "colour mode "
              + color.label()
              + " gives "
              + color.channels()
              + " channels, not "
              + channels);
    }
    if (!(std != 0) || !Float.isFinite(std) || !Float.isFinite(scale) || !Float.isFinite(mean)) {
      throw new IllegalArgumentException("scale, mean and std must be finite, std non-zero");
    }
  }

  /** Number of floats in one item's tensor. */
  public int itemSize() {
    return channels * height * width;
  }
}
