package dev.captcha.training;

import dev.captcha.generator.FontCatalog;
import dev.captcha.report.Progress;
import dev.captcha.training.finetune.Finetuner;
import dev.captcha.training.train.Trainer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The {@code finetune} command: adapts an exported model to new fonts or labelled captchas. */
@Command(
    name = "finetune",
    mixinStandardHelpOptions = true,
    description =
        "Fine-tunes an exported model on new fonts and/or folders of labelled captchas"
            + " (<index>_<text>.png), mixed with the usual training fonts, and exports the result"
            + " with the export's parity check and its lineage in the metadata.")
final class FinetuneCommand implements Callable<Integer> {

  @Option(names = "--from", required = true, description = "The model file to start from.")
  Path from;

  @Option(
      names = {"-o", "--out"},
      required = true,
      description =
          "The model file to write (its charts go beside it as NAME-metrics.png/.svg/.csv).")
  Path out;

  @Option(
      names = "--fonts",
      arity = "1..*",
      split = ",",
      paramLabel = "FILE_OR_FAMILY",
      description = "New fonts: font files (.ttf, .otf, .ttc) or installed family names.")
  List<String> fonts = List.of();

  @Option(
      names = "--labelled",
      arity = "1..*",
      paramLabel = "DIR",
      description =
          "Folders of labelled captchas named <index>_<text>.png (or .jpg, .gif, .bmp); a tenth is held out.")
  List<Path> labelled = List.of();

  @Option(
      names = "--max-minutes",
      defaultValue = "15",
      description = "Training budget in minutes (default: ${DEFAULT-VALUE}).")
  double maxMinutes;

  @Option(
      names = "--steps",
      defaultValue = "0",
      description =
          "Planned optimiser steps; 0 = run to the time budget (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(
      names = "--batch-size",
      defaultValue = "64",
      description = "Images per step (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(
      names = "--lr",
      defaultValue = "0.0003",
      description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
  float lr;

  @Option(
      names = "--min-lr",
      defaultValue = "0.00001",
      description = "Final learning rate of the cosine schedule (default: ${DEFAULT-VALUE}).")
  float minLr;

  @Option(
      names = "--warmup-steps",
      defaultValue = "50",
      description = "Linear warm-up steps (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(
      names = "--eval-every",
      defaultValue = "200",
      description = "Steps between validations and checkpoints (default: ${DEFAULT-VALUE}).")
  int evalEvery;

  @Option(
      names = "--val-size",
      defaultValue = "1000",
      description =
          "Generated validation captchas per font set (training fonts, new fonts; default: ${DEFAULT-VALUE}).")
  int valSize;

  @Option(
      names = "--base-share",
      defaultValue = "0.5",
      description =
          "Share of training images drawn with the usual training fonts; the rest goes to the new"
              + " fonts and labelled images (default: ${DEFAULT-VALUE}).")
  double baseShare;

  @Option(
      names = "--base-fonts",
      split = ",",
      description = "The usual training fonts mixed in (default: the zoo's training families).")
  List<String> baseFonts = FontCatalog.TRAINING_FAMILIES;

  @Option(
      names = "--slot-mix",
      defaultValue = "0.5",
      description =
          "Share of labelled training images recombined character by character from several"
              + " labelled images of the same size (default: ${DEFAULT-VALUE}; 0: never).")
  double slotMix;

  @Option(
      names = "--slot-turn",
      defaultValue = "0",
      paramLabel = "DEGREES",
      description =
          "Largest angle by which the characters of a varied labelled image are turned, each"
              + " character by its own angle with probability 0.5 (default: ${DEFAULT-VALUE}; 0:"
              + " never).")
  double slotTurn;

  @Option(
      names = "--augment-rate",
      defaultValue = "0.2",
      description =
          "Share of training images degraded (JPEG, rescaling, blur, ...; see train; default: ${DEFAULT-VALUE}).")
  double augmentRate;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Seed of the training stream (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--threads",
      defaultValue = "2",
      description = "Threads for PyTorch and ONNX Runtime (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(
      names = "--run-dir",
      description =
          "Keep the run folder (checkpoints, metrics, training.properties) here; default: a temporary folder, removed.")
  Path runDir;

  @Option(
      names = "--name",
      description = "Model name (default: the --out file name without .onnx).")
  String name;

  @Option(names = "--model-version", description = "Model version (default: the base model's).")
  String version;

  @Option(names = "--quiet", description = "Show no progress (results are still printed).")
  boolean quiet;

  @Mixin Int8OutputOptions int8;

  @Override
  public Integer call() throws Exception {
    Path target = int8.target(out);
    if (!(maxMinutes > 0)) {
      throw new IllegalArgumentException("--max-minutes must be positive");
    }
    String command =
        "java -jar training/target/captcha-training.jar finetune "
            + String.join(" ", ArgsHolder.args());
    Trainer.configureEngine(threads);
    Finetuner.Settings settings =
        new Finetuner.Settings(
            from,
            out,
            fonts,
            labelled,
            baseFonts,
            Duration.ofMillis((long) (maxMinutes * 60_000)),
            steps,
            batchSize,
            lr,
            minLr,
            warmup,
            evalEvery,
            valSize,
            baseShare,
            slotMix,
            slotTurn,
            augmentRate,
            seed,
            threads,
            runDir,
            name,
            version,
            command.trim());
    if (target != null) {
      Finetuner.checkWritable(target);
      int8.quantize.guard(threads);
    }
    Finetuner.Report r =
        new Finetuner(settings, System.out, System.err, Progress.Mode.detect(quiet)).run();
    if (r == null) {
      return 1;
    }
    if (target != null) {
      return int8.quantize.run(out, target, threads, System.out, System.err);
    }
    return 0;
  }
}
