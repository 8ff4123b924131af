package dev.captcha.training.train;

import dev.captcha.training.model.CaptchaResNet;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The layout of a training run folder: the last and the best checkpoint, training.properties, and
 * the single checkpoint file older versions wrote; stateless and thread-safe.
 */
public final class RunFolder {

  /** The run's state and configuration. */
  public static final String STATE = "training.properties";

  /** Which checkpoint of a run. */
  public enum Choice {
    /**
     * The highest validation exact accuracy reached (ties: the higher per-character accuracy, then
     * the earlier).
     */
    BEST("checkpoint-best.params", "best."),
    /** The latest validation point, with the optimiser state to resume from. */
    LAST("checkpoint-last.params", "last.");

    private final String file;
    private final String keyPrefix;

    Choice(String file, String keyPrefix) {
      this.file = file;
      this.keyPrefix = keyPrefix;
    }

    /** File name inside the run folder. */
    public String file() {
      return file;
    }

    /** Prefix of this checkpoint's keys in training.properties ({@code best.steps}, ...). */
    public String keyPrefix() {
      return keyPrefix;
    }
  }

  /**
   * Configuration keys of training.properties a resumed run must match, in report order. A
   * different {@code network} can never be resumed (the checkpoint would not fit); the others may
   * change when the caller says so.
   */
  static final List<String> CONFIG_KEYS =
      List.of(
          "network",
          "charset",
          "fonts",
          "batch_size",
          "seed",
          "validation_seed",
          "validation_size",
          "lr_peak",
          "lr_floor",
          "warmup_steps");

  private RunFolder() {}

  /** The file of {@code choice} in {@code runDir}. */
  public static Path checkpoint(Path runDir, Choice choice) {
    return runDir.resolve(choice.file());
  }

  /**
   * The checkpoint older versions wrote ({@code captcha-resnet-NNNN.params}, DJL model format), if
   * any.
   */
  public static Optional<Path> legacyCheckpoint(Path runDir) throws IOException {
    if (!Files.isDirectory(runDir)) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.list(runDir)) {
      return files
          .filter(
              p -> p.getFileName().toString().matches(Trainer.CHECKPOINT_NAME + "-\\d{4}\\.params"))
          .sorted()
          .reduce((a, b) -> b);
    }
  }

  /** training.properties of {@code runDir}, empty if there is none. */
  public static Properties readState(Path runDir) throws IOException {
    Properties p = new Properties();
    Path file = runDir.resolve(STATE);
    if (Files.isRegularFile(file)) {
      try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        p.load(r);
      }
    }
    return p;
  }

  /** Writes {@code state} as training.properties atomically. */
  static void writeState(Path runDir, Properties state) throws IOException {
    Path file = runDir.resolve(STATE);
    Path tmp = Files.createTempFile(runDir, STATE, ".tmp");
    try {
      try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        state.store(w, "state of a captcha-resnet training run");
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The configuration keys of a run of {@code config} on a network of {@code spec}. */
  static Map<String, String> configOf(
      TrainingConfig config, CaptchaResNet.Spec spec, String charset) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("network", Checkpoint.describe(spec));
    m.put("charset", charset);
    m.put("fonts", String.join(";", config.fonts()));
    m.put("batch_size", Integer.toString(config.batchSize()));
    m.put("seed", Long.toString(config.seed()));
    m.put("validation_seed", Long.toString(config.validationSeed()));
    m.put("validation_size", Integer.toString(config.validationSize()));
    m.put("lr_peak", Float.toString(config.peakLr()));
    m.put("lr_floor", Float.toString(config.floorLr()));
    m.put("warmup_steps", Integer.toString(config.warmupSteps()));
    m.put("augment_rate", Double.toString(config.augmentRate()));
    m.put("glyph_variation", Double.toString(config.glyphVariation()));
    m.put("lookalike_share", Double.toString(config.lookalikeShare()));
    // Folders written before this key existed do not record it; a key not recorded is not compared.
    m.put("keep_lookalike_cues", Boolean.toString(config.keepLookalikeCues()));
    m.put("input_color", config.inputColor().label());
    m.put("site_fonts", Integer.toString(config.siteFonts()));
    m.put("small_digits", Double.toString(config.smallDigits()));
    m.put("jpeg_min_quality", Integer.toString(config.jpegMinQuality()));
    m.put("shift_weight", Integer.toString(config.shiftWeight()));
    return m;
  }

  /** One configuration key whose recorded value differs from the requested one. */
  record Difference(String key, String recorded, String requested) {
    @Override
    public String toString() {
      return key + ": run folder '" + recorded + "', requested '" + requested + "'";
    }
  }

  /**
   * The keys of {@code wanted} whose value in {@code recorded} differs; keys not recorded are
   * skipped.
   */
  static List<Difference> differences(Properties recorded, Map<String, String> wanted) {
    List<Difference> out = new ArrayList<>();
    for (Map.Entry<String, String> e : wanted.entrySet()) {
      String r = recorded.getProperty(e.getKey());
      if (r != null && !r.equals(e.getValue())) {
        out.add(new Difference(e.getKey(), r, e.getValue()));
      }
    }
    return out;
  }
}
