package dev.captcha.training.export;

import dev.captcha.generator.Charset;
import dev.captcha.model.ModelKeys;
import dev.captcha.training.data.ImageTensors;
import dev.captcha.training.model.CaptchaResNet;
import dev.captcha.training.train.RunFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The {@code metadata_props} of an exported model (docs/model-format.md): the keys the server needs
 * to feed and decode it, and provenance read from a run folder's training.properties; stateless and
 * thread-safe.
 */
public final class ModelMetadata {

  /** Version of the model-file contract written. */
  public static final String FORMAT = ModelKeys.FORMAT_VERSION;

  /** The keys a model file must carry. */
  public static final List<String> REQUIRED_KEYS = ModelKeys.REQUIRED;

  /** The provenance keys, all written when the run folder records them. */
  public static final List<String> PROVENANCE_KEYS = ModelKeys.PROVENANCE;

  /** training.properties key for each provenance key read from it. */
  private static final Map<String, String> FROM_RUN =
      orderedMap(
          "captcha.training.command", "command",
          "captcha.training.seed", "seed",
          "captcha.training.steps", "steps",
          "captcha.training.images", "images",
          "captcha.training.wall_seconds", "wall_seconds",
          "captcha.training.fonts", "fonts",
          "captcha.validation.exact_accuracy", "validation_exact_accuracy",
          "captcha.validation.char_accuracy", "validation_char_accuracy",
          "captcha.validation.size", "validation_size",
          "captcha.validation.seed", "validation_seed");

  /** The scale of {@link ImageTensors#SCALE} (1/255), written at double precision. */
  static final double INPUT_SCALE = 1.0 / 255;

  private ModelMetadata() {}

  /** The required keys for a network of {@code spec}, named {@code name} at {@code version}. */
  public static Map<String, String> required(CaptchaResNet.Spec spec, String name, String version) {
    if (name == null || name.isBlank() || version == null || version.isBlank()) {
      throw new IllegalArgumentException("model name and version must not be blank");
    }
    if (spec.classes() != Charset.MODEL_CLASSES.length()) {
      throw new IllegalArgumentException(
          "the network has "
              + spec.classes()
              + " classes, the charset "
              + Charset.MODEL_CLASSES.length());
    }
    Map<String, String> m = new LinkedHashMap<>();
    m.put("captcha.format", FORMAT);
    m.put("captcha.model.name", name);
    m.put("captcha.model.version", version);
    m.put("captcha.charset", Charset.MODEL_CLASSES);
    m.put("captcha.length", Integer.toString(spec.length()));
    m.put("captcha.decoder", "heads");
    m.put("captcha.input.name", OnnxExporter.INPUT_NAME);
    m.put("captcha.output.name", OnnxExporter.OUTPUT_NAME);
    m.put("captcha.input.channels", Integer.toString(spec.channels()));
    m.put("captcha.input.height", Integer.toString(spec.height()));
    m.put("captcha.input.width", Integer.toString(spec.width()));
    m.put("captcha.input.color", "min-rgb");
    m.put("captcha.input.scale", Double.toString(INPUT_SCALE));
    m.put("captcha.input.mean", "0");
    m.put("captcha.input.std", "1");
    m.put("captcha.input.resize", "bilinear-stretch");
    return m;
  }

  /**
   * The required keys plus provenance from {@code runDir/training.properties} and the export time.
   *
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if the run folder has no training.properties or it lacks a key
   */
  public static Map<String, String> forRun(
      CaptchaResNet.Spec spec, String name, String version, Path runDir, Instant created)
      throws IOException {
    return forRun(spec, name, version, runDir, "", created);
  }

  /**
   * As {@link #forRun(CaptchaResNet.Spec, String, String, Path, Instant)}, reading the figures of
   * one checkpoint: each key is looked up with {@code checkpointPrefix} first ({@code best.steps}),
   * then without it.
   */
  public static Map<String, String> forRun(
      CaptchaResNet.Spec spec,
      String name,
      String version,
      Path runDir,
      String checkpointPrefix,
      Instant created)
      throws IOException {
    Path file = runDir.resolve(RunFolder.STATE);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "no training.properties in " + runDir + ": is it a training run folder?");
    }
    Properties p = RunFolder.readState(runDir);
    Map<String, String> m = required(spec, name, version);
    // Folders written before the key trained on min-rgb.
    m.put("captcha.input.color", p.getProperty("input_color", "min-rgb").trim());
    for (Map.Entry<String, String> e : FROM_RUN.entrySet()) {
      String v = p.getProperty(checkpointPrefix + e.getValue(), p.getProperty(e.getValue()));
      if (v == null) {
        throw new IllegalArgumentException(
            file + " lacks '" + e.getValue() + "' (needed for " + e.getKey() + ")");
      }
      m.put(
          e.getKey(),
          e.getKey().equals("captcha.training.fonts") ? String.join(",", v.split(";")) : v.trim());
    }
    m.put("captcha.created", created.truncatedTo(ChronoUnit.SECONDS).toString());
    return m;
  }

  private static Map<String, String> orderedMap(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }
}
