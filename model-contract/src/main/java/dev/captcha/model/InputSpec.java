package dev.captcha.model;

/**
 * How an image becomes the model's input tensor of one item, {@code [channels, height, width]};
 * immutable. A channel value v in 0..255 becomes {@code (v * scale - mean) / std}; an image of
 * another size is first brought to the input size by {@code resize}.
 */
public record InputSpec(
    int channels,
    int height,
    int width,
    ColorMode color,
    float scale,
    float mean,
    float std,
    ResizeRule resize) {

  /** An input that resizes with {@link ResizeRule#BILINEAR_STRETCH}. */
  public InputSpec(
      int channels, int height, int width, ColorMode color, float scale, float mean, float std) {
    this(channels, height, width, color, scale, mean, std, ResizeRule.BILINEAR_STRETCH);
  }

  /** The same input with another resize rule. */
  public InputSpec withResize(ResizeRule rule) {
    return new InputSpec(channels, height, width, color, scale, mean, std, rule);
  }

  /** The same input with another colour transform of as many channels. */
  public InputSpec withColor(ColorMode mode) {
    return new InputSpec(channels, height, width, mode, scale, mean, std, resize);
  }

  /** Validates the shape and the normalisation. */
  public InputSpec {
    java.util.Objects.requireNonNull(resize, "resize");
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
