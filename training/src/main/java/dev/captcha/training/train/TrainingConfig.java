package dev.captcha.training.train;

import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.model.ColorMode;
import dev.captcha.training.data.Augmenter;
import dev.captcha.training.model.CaptchaResNet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Immutable, validated settings of one training run.
 *
 * @param runDir where checkpoints, metrics.csv, the chart and training.properties go
 * @param maxTime wall-clock budget; the learning-rate schedule ends at its floor when it is spent
 * @param steps optimiser steps planned (0: time budget only)
 * @param batchSize images per step
 * @param peakLr Adam's learning rate after warm-up
 * @param floorLr learning rate at the end of the schedule
 * @param warmupSteps linear warm-up steps
 * @param seed seed of the training stream
 * @param validationSize captchas in the fixed validation set
 * @param validationSeed seed of the validation stream (distinct from the training seed)
 * @param evalEvery steps between validations, checkpoints and metric rows
 * @param fonts font families or files used to draw training captchas
 * @param widths channel widths of the network's stages (see {@link CaptchaResNet})
 * @param threads PyTorch intra-op threads
 * @param resume continue from the last checkpoint in runDir
 * @param allowConfigChange on resume, accept settings that differ from the run folder's (all but
 *     the network, which must match the checkpoint)
 * @param command the command line, recorded as provenance
 * @param initFrom an exported model file whose weights start the run (null: random initialisation)
 * @param augmentRate share of training captchas degraded as images are on their way to users
 * @param glyphVariation share of training glyphs drawn with a random width, slant and weight
 * @param groupValidationSize when the fonts span several style groups, captchas per group in a
 *     second validation set drawn with that group's fonts only, reported per group (0: none); it
 *     does not take part in choosing the best checkpoint
 * @param head what the network's linear head reads (see {@link CaptchaResNet.Head})
 * @param lookalikeShare share of training characters drawn from {@link #LOOKALIKES} instead of the
 *     charset, in the charset's odds between them (0: as the library draws them)
 * @param keepLookalikeCues whether the glyph variation keeps the cues between look-alikes (strokes
 *     grow sideways only, {@link #LOOKALIKES} keep their width; see {@code
 *     CaptchaGenerator.Builder#variationKeepsCues})
 * @param inputColor the colour transform that turns images into the network's one input channel,
 *     written into the exported model file ({@code min-rgb} or {@code text-alpha})
 * @param siteFonts 0: every training character picks its face from all the fonts; k > 0: each
 *     training captcha loads 1..k faces and its characters pick among those, as on a site (see
 *     {@code CaptchaGenerator.Builder#siteFonts}); validation always draws as the library does
 * @param smallDigits share of training captchas whose digits are drawn small or as old-style
 *     figures (see {@code CaptchaGenerator.Builder#smallDigits}); 0: as the fonts draw them
 * @param jpegMinQuality the lowest JPEG quality the augmentation draws (see {@link
 *     dev.captcha.training.data.Augmenter}); 50 unless set
 */
public record TrainingConfig(
    Path runDir,
    Duration maxTime,
    int steps,
    int batchSize,
    float peakLr,
    float floorLr,
    int warmupSteps,
    long seed,
    int validationSize,
    long validationSeed,
    int evalEvery,
    List<String> fonts,
    List<Integer> widths,
    int threads,
    boolean resume,
    boolean allowConfigChange,
    String command,
    Path initFrom,
    double augmentRate,
    double glyphVariation,
    int groupValidationSize,
    CaptchaResNet.Head head,
    double lookalikeShare,
    boolean keepLookalikeCues,
    ColorMode inputColor,
    int siteFonts,
    double smallDigits,
    int jpegMinQuality) {

  /**
   * The characters that some fonts draw nearly alike: what {@code lookalikeShare} draws more of.
   */
  public static final String LOOKALIKES = "0Oo1lI";

  /** Captchas per font group in the per-group validation set of the train command by default. */
  public static final int DEFAULT_GROUP_VALIDATION_SIZE = 250;

  /** Settings without a per-group validation set. */
  public TrainingConfig(
      Path runDir,
      Duration maxTime,
      int steps,
      int batchSize,
      float peakLr,
      float floorLr,
      int warmupSteps,
      long seed,
      int validationSize,
      long validationSeed,
      int evalEvery,
      List<String> fonts,
      List<Integer> widths,
      int threads,
      boolean resume,
      boolean allowConfigChange,
      String command,
      Path initFrom,
      double augmentRate,
      double glyphVariation) {
    this(
        runDir,
        maxTime,
        steps,
        batchSize,
        peakLr,
        floorLr,
        warmupSteps,
        seed,
        validationSize,
        validationSeed,
        evalEvery,
        fonts,
        widths,
        threads,
        resume,
        allowConfigChange,
        command,
        initFrom,
        augmentRate,
        glyphVariation,
        0,
        CaptchaResNet.Head.MEAN_HEIGHT,
        0,
        false,
        ColorMode.MIN_RGB,
        0,
        0,
        Augmenter.DEFAULT_JPEG_MIN_QUALITY);
  }

  /**
   * Settings of a plain run: random initialisation, no augmentation, glyphs as the fonts draw them,
   * no per-group validation set.
   */
  public TrainingConfig(
      Path runDir,
      Duration maxTime,
      int steps,
      int batchSize,
      float peakLr,
      float floorLr,
      int warmupSteps,
      long seed,
      int validationSize,
      long validationSeed,
      int evalEvery,
      List<String> fonts,
      List<Integer> widths,
      int threads,
      boolean resume,
      boolean allowConfigChange,
      String command) {
    this(
        runDir,
        maxTime,
        steps,
        batchSize,
        peakLr,
        floorLr,
        warmupSteps,
        seed,
        validationSize,
        validationSeed,
        evalEvery,
        fonts,
        widths,
        threads,
        resume,
        allowConfigChange,
        command,
        null,
        0,
        0);
  }

  /** The stage widths of the standard network. */
  public static final List<Integer> STANDARD_WIDTHS = List.of(32, 64, 128, 256);

  public TrainingConfig {
    Objects.requireNonNull(runDir, "runDir");
    Objects.requireNonNull(maxTime, "maxTime");
    if (maxTime.isNegative() || maxTime.isZero()) {
      throw new IllegalArgumentException("max time must be positive");
    }
    if (steps < 0) {
      throw new IllegalArgumentException("steps must be >= 0");
    }
    if (batchSize < 1 || batchSize > 4096) {
      throw new IllegalArgumentException("batch size must be 1..4096, got " + batchSize);
    }
    if (!(peakLr > 0) || !(floorLr >= 0) || floorLr > peakLr) {
      throw new IllegalArgumentException("need 0 <= floor lr <= peak lr and peak lr > 0");
    }
    if (warmupSteps < 0 || validationSize < 1 || evalEvery < 1 || threads < 1) {
      throw new IllegalArgumentException(
          "warmup >= 0, validation size >= 1, eval interval >= 1, threads >= 1");
    }
    if (!(augmentRate >= 0 && augmentRate <= 1)
        || !(glyphVariation >= 0 && glyphVariation <= 1)
        || !(smallDigits >= 0 && smallDigits <= 1)) {
      throw new IllegalArgumentException(
          "augmentation, glyph variation and small-digit rates must be within 0..1");
    }
    Objects.requireNonNull(inputColor, "inputColor");
    if (inputColor.channels() != 1) {
      throw new IllegalArgumentException(
          "the network reads one channel; colour transform "
              + inputColor.label()
              + " gives "
              + inputColor.channels());
    }
    if (!(lookalikeShare >= 0 && lookalikeShare < 1)) {
      throw new IllegalArgumentException(
          "the share of look-alike characters must be within [0, 1), got " + lookalikeShare);
    }
    CaptchaGenerator.checkSiteFonts(siteFonts);
    Augmenter.checkJpegMinQuality(jpegMinQuality);
    if (initFrom != null && resume) {
      throw new IllegalArgumentException(
          "--init-from starts a new run; it cannot be combined with --resume");
    }
    if (groupValidationSize < 0 || groupValidationSize > 100_000) {
      throw new IllegalArgumentException(
          "validation captchas per font group must be 0..100000, got " + groupValidationSize);
    }
    if (seed == validationSeed) {
      throw new IllegalArgumentException("the validation seed must differ from the training seed");
    }
    fonts = List.copyOf(fonts);
    if (fonts.isEmpty()) {
      throw new IllegalArgumentException("at least one font is required");
    }
    widths = List.copyOf(widths);
    if (widths.isEmpty() || widths.size() > 6 || widths.stream().anyMatch(w -> w < 1 || w > 1024)) {
      throw new IllegalArgumentException(
          "network widths: 1 to 6 stages of 1..1024 channels, got " + widths);
    }
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(head, "head");
  }
}
