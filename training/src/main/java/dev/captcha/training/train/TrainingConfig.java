package dev.captcha.training.train;

import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.FontCatalog;
import dev.captcha.model.ColorMode;
import dev.captcha.training.data.Augmenter;
import dev.captcha.training.model.CaptchaResNet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Immutable, validated settings of one training run; {@link #builder} sets them by name.
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
 * @param shiftWeight the sub-pixel shifts' weight among the augmentation's kinds of change (see
 *     {@link dev.captcha.training.data.Augmenter}); 3 unless set
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
    int jpegMinQuality,
    int shiftWeight) {

  /**
   * The characters that some fonts draw nearly alike: what {@code lookalikeShare} draws more of.
   */
  public static final String LOOKALIKES = "0Oo1lI";

  /** Captchas per font group in the per-group validation set of the train command by default. */
  public static final int DEFAULT_GROUP_VALIDATION_SIZE = 250;

  /** The stage widths of the standard network. */
  public static final List<Integer> STANDARD_WIDTHS = List.of(32, 64, 128, 256);

  /**
   * A builder for a run in {@code runDir} with the train command's defaults: 120 minutes, no step
   * plan, batch 64, learning rate 1e-3 after 300 warm-up steps down to 2e-5, seed 1, 2,000
   * validation captchas of seed 20261128 every 500 steps, the zoo's training families, the standard
   * widths, 2 threads; random initialisation, no augmentation or glyph variation, no per-group
   * validation (the train command's default is {@link #DEFAULT_GROUP_VALIDATION_SIZE}), the mean
   * head, look-alikes at the library's odds, {@code min-rgb} input, every face for every character,
   * digits as the fonts draw them, JPEG from quality 50, shifts at weight 3.
   */
  public static Builder builder(Path runDir) {
    return new Builder(runDir);
  }

  /** A builder holding these settings, to derive a config that differs in a few. */
  public Builder toBuilder() {
    return new Builder(runDir)
        .maxTime(maxTime)
        .steps(steps)
        .batchSize(batchSize)
        .learningRates(peakLr, floorLr, warmupSteps)
        .seed(seed)
        .validation(validationSize, validationSeed, evalEvery)
        .fonts(fonts)
        .widths(widths)
        .threads(threads)
        .resume(resume, allowConfigChange)
        .command(command)
        .initFrom(initFrom)
        .augmentRate(augmentRate)
        .glyphVariation(glyphVariation)
        .groupValidationSize(groupValidationSize)
        .head(head)
        .lookalikeShare(lookalikeShare)
        .keepLookalikeCues(keepLookalikeCues)
        .inputColor(inputColor)
        .siteFonts(siteFonts)
        .smallDigits(smallDigits)
        .jpegMinQuality(jpegMinQuality)
        .shiftWeight(shiftWeight);
  }

  /**
   * Settings built one by one, each defaulting as {@link #builder} says; {@link #build} validates
   * them together. Not thread-safe.
   */
  public static final class Builder {
    private Path runDir;
    private Duration maxTime = Duration.ofMinutes(120);
    private int steps;
    private int batchSize = 64;
    private float peakLr = 1e-3f;
    private float floorLr = 2e-5f;
    private int warmupSteps = 300;
    private long seed = 1;
    private int validationSize = 2000;
    private long validationSeed = 20261128;
    private int evalEvery = 500;
    private List<String> fonts = FontCatalog.TRAINING_FAMILIES;
    private List<Integer> widths = STANDARD_WIDTHS;
    private int threads = 2;
    private boolean resume;
    private boolean allowConfigChange;
    private String command = "";
    private Path initFrom;
    private double augmentRate;
    private double glyphVariation;
    private int groupValidationSize;
    private CaptchaResNet.Head head = CaptchaResNet.Head.MEAN_HEIGHT;
    private double lookalikeShare;
    private boolean keepLookalikeCues;
    private ColorMode inputColor = ColorMode.MIN_RGB;
    private int siteFonts;
    private double smallDigits;
    private int jpegMinQuality = Augmenter.DEFAULT_JPEG_MIN_QUALITY;
    private int shiftWeight = Augmenter.DEFAULT_SHIFT_WEIGHT;

    private Builder(Path runDir) {
      this.runDir = runDir;
    }

    public Builder runDir(Path runDir) {
      this.runDir = runDir;
      return this;
    }

    public Builder maxTime(Duration maxTime) {
      this.maxTime = maxTime;
      return this;
    }

    public Builder steps(int steps) {
      this.steps = steps;
      return this;
    }

    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /** The peak rate, the final rate and the warm-up steps of the schedule. */
    public Builder learningRates(float peakLr, float floorLr, int warmupSteps) {
      this.peakLr = peakLr;
      this.floorLr = floorLr;
      this.warmupSteps = warmupSteps;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** The validation set's size and seed, and the steps between validations. */
    public Builder validation(int validationSize, long validationSeed, int evalEvery) {
      this.validationSize = validationSize;
      this.validationSeed = validationSeed;
      this.evalEvery = evalEvery;
      return this;
    }

    public Builder fonts(List<String> fonts) {
      this.fonts = fonts;
      return this;
    }

    public Builder widths(List<Integer> widths) {
      this.widths = widths;
      return this;
    }

    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    /** Whether to continue the run folder's run, and whether its settings may then change. */
    public Builder resume(boolean resume, boolean allowConfigChange) {
      this.resume = resume;
      this.allowConfigChange = allowConfigChange;
      return this;
    }

    public Builder command(String command) {
      this.command = command;
      return this;
    }

    public Builder initFrom(Path initFrom) {
      this.initFrom = initFrom;
      return this;
    }

    public Builder augmentRate(double augmentRate) {
      this.augmentRate = augmentRate;
      return this;
    }

    public Builder glyphVariation(double glyphVariation) {
      this.glyphVariation = glyphVariation;
      return this;
    }

    public Builder groupValidationSize(int groupValidationSize) {
      this.groupValidationSize = groupValidationSize;
      return this;
    }

    public Builder head(CaptchaResNet.Head head) {
      this.head = head;
      return this;
    }

    public Builder lookalikeShare(double lookalikeShare) {
      this.lookalikeShare = lookalikeShare;
      return this;
    }

    public Builder keepLookalikeCues(boolean keepLookalikeCues) {
      this.keepLookalikeCues = keepLookalikeCues;
      return this;
    }

    public Builder inputColor(ColorMode inputColor) {
      this.inputColor = inputColor;
      return this;
    }

    public Builder siteFonts(int siteFonts) {
      this.siteFonts = siteFonts;
      return this;
    }

    public Builder smallDigits(double smallDigits) {
      this.smallDigits = smallDigits;
      return this;
    }

    public Builder jpegMinQuality(int jpegMinQuality) {
      this.jpegMinQuality = jpegMinQuality;
      return this;
    }

    public Builder shiftWeight(int shiftWeight) {
      this.shiftWeight = shiftWeight;
      return this;
    }

    /**
     * The settings.
     *
     * @throws IllegalArgumentException if they are invalid alone or together
     */
    public TrainingConfig build() {
      return new TrainingConfig(
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
          groupValidationSize,
          head,
          lookalikeShare,
          keepLookalikeCues,
          inputColor,
          siteFonts,
          smallDigits,
          jpegMinQuality,
          shiftWeight);
    }
  }

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
    Augmenter.checkShiftWeight(shiftWeight);
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
