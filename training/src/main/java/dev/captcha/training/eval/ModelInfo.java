package dev.captcha.training.eval;

import java.util.Locale;
import java.util.Map;

/**
 * What a model file says about feeding and decoding it (the required metadata of
 * docs/model-format.md), parsed and validated; immutable and thread-safe.
 *
 * @param name model name
 * @param version model version
 * @param charset the classes in class-index order
 * @param length characters per captcha
 * @param inputName graph input
 * @param outputName graph output
 * @param channels input channels
 * @param height input height
 * @param width input width
 * @param color {@code min-rgb}, {@code gray} or {@code rgb}
 * @param scale factor applied to 0..255 channel values
 * @param mean subtracted after scaling
 * @param std divisor after the mean
 * @param metadata every metadata entry of the file
 */
public record ModelInfo(String name, String version, String charset, int length, String inputName, String outputName,
    int channels, int height, int width, String color, float scale, float mean, float std, Map<String, String> metadata) {

  public ModelInfo {
    metadata = Map.copyOf(metadata);
  }

  /**
   * Parses the metadata of a model file.
   *
   * @throws IllegalArgumentException naming the key that is missing or invalid
   */
  public static ModelInfo parse(Map<String, String> m) {
    String format = get(m, "captcha.format");
    if (!format.equals("1")) {
      throw new IllegalArgumentException("captcha.format " + format + " is not supported (expected 1)");
    }
    String decoder = get(m, "captcha.decoder");
    if (!decoder.equals("heads")) {
      throw new IllegalArgumentException("captcha.decoder '" + decoder + "' is not supported (expected heads)");
    }
    String color = get(m, "captcha.input.color").toLowerCase(Locale.ROOT);
    int channels = positive(m, "captcha.input.channels");
    int expectedChannels = switch (color) {
      case "min-rgb", "gray" -> 1;
      case "rgb" -> 3;
      default -> throw new IllegalArgumentException("captcha.input.color '" + color + "' is not min-rgb, gray or rgb");
    };
    if (channels != expectedChannels) {
      throw new IllegalArgumentException("captcha.input.channels is " + channels + " but colour " + color
          + " has " + expectedChannels);
    }
    String resize = get(m, "captcha.input.resize");
    if (!resize.equals("bilinear-stretch")) {
      throw new IllegalArgumentException("captcha.input.resize '" + resize + "' is not supported (expected bilinear-stretch)");
    }
    String charset = get(m, "captcha.charset");
    if (charset.codePointCount(0, charset.length()) != charset.length()) {
      throw new IllegalArgumentException("captcha.charset must hold characters of the basic plane only");
    }
    float std = number(m, "captcha.input.std");
    if (std == 0) {
      throw new IllegalArgumentException("captcha.input.std must not be 0");
    }
    return new ModelInfo(get(m, "captcha.model.name"), get(m, "captcha.model.version"), charset,
        positive(m, "captcha.length"), get(m, "captcha.input.name"), get(m, "captcha.output.name"), channels,
        positive(m, "captcha.input.height"), positive(m, "captcha.input.width"), color,
        number(m, "captcha.input.scale"), number(m, "captcha.input.mean"), std, m);
  }

  /** Number of classes per position. */
  public int classes() {
    return charset.length();
  }

  /** Floats per input image. */
  public int inputSize() {
    return channels * height * width;
  }

  private static String get(Map<String, String> m, String key) {
    String v = m.get(key);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("the model file lacks the metadata entry '" + key + "'");
    }
    return v.trim();
  }

  private static int positive(Map<String, String> m, String key) {
    String v = get(m, key);
    try {
      int i = Integer.parseInt(v);
      if (i < 1) {
        throw new IllegalArgumentException("metadata " + key + " must be positive, got " + v);
      }
      return i;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("metadata " + key + " is not an integer: '" + v + "'", e);
    }
  }

  private static float number(Map<String, String> m, String key) {
    String v = get(m, key);
    try {
      float f = Float.parseFloat(v);
      if (!Float.isFinite(f)) {
        throw new IllegalArgumentException("metadata " + key + " must be finite, got " + v);
      }
      return f;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("metadata " + key + " is not a number: '" + v + "'", e);
    }
  }
}
