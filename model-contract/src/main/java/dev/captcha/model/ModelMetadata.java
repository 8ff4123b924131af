package dev.captcha.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The validated {@code metadata_props} of a model file (docs/model-format.md): how to feed it and
 * how to decode it; the one reader of the contract for serving and evaluation. Immutable and
 * thread-safe.
 */
public final class ModelMetadata {
  /** The contract version this server reads. */
  public static final String FORMAT = ModelKeys.FORMAT_VERSION;

  static final List<String> REQUIRED = ModelKeys.REQUIRED;

  private final Map<String, String> all;
  private final String name;
  private final String version;
  private final String charset;
  private final int length;
  private final String decoder;
  private final String inputName;
  private final String outputName;
  private final InputSpec input;
  private final float validationAccuracy;
  private final String precision;
  private final double confidenceTemperature;

  private ModelMetadata(Map<String, String> all) throws ModelFormatException {
    this.all = java.util.Collections.unmodifiableMap(new TreeMap<>(all));
    String format = all.get("captcha.format");
    if (!FORMAT.equals(format.trim())) {
      throw new ModelFormatException(
          "model metadata captcha.format is '" + format + "'; this server reads format " + FORMAT);
    }
    name = all.get("captcha.model.name");
    version = all.get("captcha.model.version");
    charset = all.get("captcha.charset");
    int distinct = (int) charset.codePoints().distinct().count();
    if (charset.isEmpty() || distinct != charset.codePointCount(0, charset.length())) {
      throw new ModelFormatException(
          "model metadata captcha.charset must be non-empty with distinct characters");
    }
    length = positiveInt("captcha.length");
    decoder = all.get("captcha.decoder");
    if (!"heads".equals(decoder)) {
      throw new ModelFormatException(
          "model metadata captcha.decoder is '" + decoder + "'; this server decodes 'heads'");
    }
    inputName = all.get("captcha.input.name");
    outputName = all.get("captcha.output.name");
    String resizeLabel = all.get("captcha.input.resize");
    ResizeRule resize = ResizeRule.parse(resizeLabel.trim());
    if (resize == null) {
      throw new ModelFormatException(
          "model metadata captcha.input.resize is '"
              + resizeLabel
              + "'; supported: bilinear-stretch, area-stretch");
    }
    ColorMode color = ColorMode.parse(all.get("captcha.input.color"));
    if (color == null) {
      throw new ModelFormatException(
          "model metadata captcha.input.color is '"
              + all.get("captcha.input.color")
              + "'; supported: "
              + ColorMode.labels());
    }
    try {
      input =
          new InputSpec(
              positiveInt("captcha.input.channels"),
              positiveInt("captcha.input.height"),
              positiveInt("captcha.input.width"),
              color,
              number("captcha.input.scale"),
              number("captcha.input.mean"),
              number("captcha.input.std"),
              resize);
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException(
          "model metadata describes an invalid input: " + e.getMessage());
    }
    String acc = all.get("captcha.validation.exact_accuracy");
    float parsed = Float.NaN;
    if (acc != null) {
      try {
        parsed = Float.parseFloat(acc.trim());
      } catch (NumberFormatException e) {
        parsed = Float.NaN;
      }
    }
    validationAccuracy = parsed;
    String p = all.get("captcha.precision");
    precision = p == null || p.isBlank() ? "float32" : p.trim();
    confidenceTemperature = temperature(all.get(ModelKeys.CONFIDENCE_TEMPERATURE));
  }

  private static double temperature(String value) throws ModelFormatException {
    if (value == null) {
      return 1;
    }
    double t;
    try {
      t = Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      t = Double.NaN;
    }
    if (!(t > 0) || Double.isInfinite(t)) {
      throw new ModelFormatException(
          "model metadata "
              + ModelKeys.CONFIDENCE_TEMPERATURE
              + " must be a positive finite number, got '"
              + value
              + "'");
    }
    return t;
  }

  /**
   * Validates a model's metadata.
   *
   * @throws ModelFormatException naming every missing required key, or the first invalid value
   */
  public static ModelMetadata parse(Map<String, String> metadata) throws ModelFormatException {
    List<String> missing = new ArrayList<>();
    for (String key : REQUIRED) {
      String v = metadata.get(key);
      if (v == null || v.isBlank()) {
        missing.add(key);
      }
    }
    if (!missing.isEmpty()) {
      throw new ModelFormatException(
          "model file lacks required metadata "
              + String.join(", ", missing)
              + " (see docs/model-format.md)");
    }
    return new ModelMetadata(metadata);
  }

  private int positiveInt(String key) throws ModelFormatException {
    try {
      int v = Integer.parseInt(all.get(key).trim());
      if (v < 1) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new ModelFormatException(
          "model metadata " + key + " must be a positive integer, got '" + all.get(key) + "'");
    }
  }

  private float number(String key) throws ModelFormatException {
    try {
      return Float.parseFloat(all.get(key).trim());
    } catch (NumberFormatException e) {
      throw new ModelFormatException(
          "model metadata " + key + " must be a number, got '" + all.get(key) + "'");
    }
  }

  public String name() {
    return name;
  }

  public String version() {
    return version;
  }

  /** The classes in class-index order, one code point each. */
  public String charset() {
    return charset;
  }

  /** Number of code points in the charset (K). */
  public int classes() {
    return charset.codePointCount(0, charset.length());
  }

  /** Characters per captcha (L). */
  public int length() {
    return length;
  }

  public String decoder() {
    return decoder;
  }

  public String inputName() {
    return inputName;
  }

  public String outputName() {
    return outputName;
  }

  public InputSpec input() {
    return input;
  }

  /** Exact-match validation accuracy in [0, 1], or NaN when the file does not record it. */
  public float validationAccuracy() {
    return validationAccuracy;
  }

  /**
   * The numeric precision of the model: {@code float32}, or {@code int8} for a quantized model
   * (metadata captcha.precision; float32 when the file has none).
   */
  public String precision() {
    return precision;
  }

  /**
   * The temperature the decoder divides the logits by before the softmax (metadata
   * captcha.confidence.temperature; 1 when the file has none).
   */
  public double confidenceTemperature() {
    return confidenceTemperature;
  }

  /** Every metadata entry of the file, sorted by key. */
  public Map<String, String> all() {
    return all;
  }
}
