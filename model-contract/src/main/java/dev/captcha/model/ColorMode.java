package dev.captcha.model;

/** How an RGB pixel becomes the model's input channels (metadata {@code captcha.input.color}). */
public enum ColorMode {
  /** One channel: min(R, G, B). */
  MIN_RGB("min-rgb", 1),
  /** One channel: 0.299 R + 0.587 G + 0.114 B. */
  GRAY("gray", 1),
  /** Three channels: R, G, B. */
  RGB("rgb", 3);

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

  /** Parses a metadata value, or returns null when it names no mode. */
  static ColorMode parse(String label) {
    for (ColorMode m : values()) {
      if (m.label.equals(label)) {
        return m;
      }
    }
    return null;
  }
}
