package dev.captcha.model;

/** How an RGB pixel becomes the model's input channels (metadata {@code captcha.input.color}). */
public enum ColorMode {
  /** One channel: min(R, G, B). */
  MIN_RGB("min-rgb", 1),
  /** One channel: 0.299 R + 0.587 G + 0.114 B. */
  GRAY("gray", 1),
  /** Three channels: R, G, B. */
  RGB("rgb", 3),
  /**
   * One channel: how far each pixel has gone from the image's background colour towards white, on
   * min(R, G, B)'s scale, measured mostly in luma. Equal to {@link #MIN_RGB} (up to the rounding of
   * 8-bit channels) on an image whose every pixel blends its background with white text; on a
   * JPEG-compressed one it reads the full-resolution luma instead of the colour channels that JPEG
   * blurs and quantizes coarsely. Needs the whole image (the background is its per-channel median),
   * see {@link Preprocessor}.
   */
  TEXT_ALPHA("text-alpha", 1);

  private final String label;
  private final int channels;

  ColorMode(String label, int channels) {
    this.label = label;
    this.channels = channels;
  }

  public String label() {
    return label;
  }

  /** Number of input channels this mode produces. */
  public int channels() {
    return channels;
  }

  /** The metadata values of all modes, comma separated (for error messages). */
  public static String labels() {
    return java.util.Arrays.stream(values())
        .map(ColorMode::label)
        .collect(java.util.stream.Collectors.joining(", "));
  }

  /** Parses a metadata value, or returns null when it names no mode. */
  public static ColorMode parse(String label) {
    for (ColorMode m : values()) {
      if (m.label.equals(label)) {
        return m;
      }
    }
    return null;
  }
}
