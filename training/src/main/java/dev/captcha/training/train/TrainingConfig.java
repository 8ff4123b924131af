package dev.captcha.training.train;

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
 * @param threads PyTorch intra-op threads
 * @param resume continue from the checkpoint in runDir
 * @param command the command line, recorded as provenance
 * @param augmentRate share of training captchas degraded by the {@link
 *     dev.captcha.training.data.Augmenter} (JPEG, rescaling, shifts, blur, gamma, palettes), 0..1
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
    int threads,
    boolean resume,
    String command,
    double augmentRate) {

  /** Settings without augmentation. */
  public TrainingConfig(Path runDir, Duration maxTime, int steps, int batchSize, float peakLr, float floorLr,
      int warmupSteps, long seed, int validationSize, long validationSeed, int evalEvery, List<String> fonts,
      int threads, boolean resume, String command) {
    this(runDir, maxTime, steps, batchSize, peakLr, floorLr, warmupSteps, seed, validationSize, validationSeed,
        evalEvery, fonts, threads, resume, command, 0);
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
      throw new IllegalArgumentException("warmup >= 0, validation size >= 1, eval interval >= 1, threads >= 1");
    }
    if (seed == validationSeed) {
      throw new IllegalArgumentException("the validation seed must differ from the training seed");
    }
    if (!(augmentRate >= 0 && augmentRate <= 1)) {
      throw new IllegalArgumentException("augmentation rate must be in [0, 1], got " + augmentRate);
    }
    fonts = List.copyOf(fonts);
    if (fonts.isEmpty()) {
      throw new IllegalArgumentException("at least one font is required");
    }
  }
}
