package dev.captcha.training;

import dev.captcha.generator.FontCatalog;
import dev.captcha.model.ColorMode;
import dev.captcha.model.ModelKeys;
import dev.captcha.report.Progress;
import dev.captcha.training.export.OnnxImporter;
import dev.captcha.training.model.CaptchaResNet;
import dev.captcha.training.quantize.Int8Quantizer;
import dev.captcha.training.train.Trainer;
import dev.captcha.training.train.TrainingConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code train} command: trains the ResNet on freshly generated captchas. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description =
        "Trains the captcha ResNet (DJL, PyTorch CPU) on freshly generated captchas; writes checkpoints,"
            + " metrics.csv, metrics.png, metrics.svg and training.properties to the run folder.")
final class TrainCommand implements Callable<Integer> {

  @Option(
      names = "--run-dir",
      defaultValue = "runs/default",
      description = "Run folder (default: ${DEFAULT-VALUE}).")
  Path runDir;

  @Option(
      names = "--max-minutes",
      defaultValue = "120",
      description = "Wall-clock budget in minutes (default: ${DEFAULT-VALUE}).")
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
      defaultValue = "0.001",
      description = "Peak learning rate of Adam (default: ${DEFAULT-VALUE}).")
  float lr;

  @Option(
      names = "--min-lr",
      defaultValue = "0.00002",
      description = "Final learning rate of the cosine schedule (default: ${DEFAULT-VALUE}).")
  float minLr;

  @Option(
      names = "--warmup-steps",
      defaultValue = "300",
      description = "Linear warm-up steps (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Seed of the training stream (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--val-size",
      defaultValue = "2000",
      description = "Validation captchas (default: ${DEFAULT-VALUE}).")
  int valSize;

  @Option(
      names = "--val-seed",
      defaultValue = "20261128",
      description = "Seed of the validation set (default: ${DEFAULT-VALUE}).")
  long valSeed;

  @Option(
      names = "--val-per-group",
      defaultValue = "" + TrainingConfig.DEFAULT_GROUP_VALIDATION_SIZE,
      description =
          "When the fonts span several style groups, also validate on this many captchas per group,"
              + " drawn with that group's fonts only (the same texts and noise in every group), and"
              + " report exact accuracy per group in metrics.csv, the charts and the log; 0: off."
              + " The best checkpoint is still chosen on --val-size (default: ${DEFAULT-VALUE}).")
  int valPerGroup;

  @Option(
      names = "--eval-every",
      defaultValue = "500",
      description = "Steps between validations and checkpoints (default: ${DEFAULT-VALUE}).")
  int evalEvery;

  @Option(
      names = "--fonts",
      split = ",",
      description =
          "Font families or font files (default: the training families: ${DEFAULT-VALUE}).")
  List<String> fonts = FontCatalog.TRAINING_FAMILIES;

  @Option(
      names = "--threads",
      defaultValue = "2",
      description = "PyTorch intra-op threads (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(
      names = "--widths",
      split = ",",
      description =
          "Channels of the network's stages (default: 32,64,128,256; with --init-from, the"
              + " file's). With --init-from, wider stages than the file's widen its network: the"
              + " file's function is kept and the new channels learn from there.")
  List<Integer> widths;

  @Option(
      names = "--head",
      paramLabel = "mean|rows",
      description =
          "What the linear head reads from the last feature map: mean (the mean over the height)"
              + " or rows (every row, so where a stroke ends vertically is kept). Default: mean;"
              + " with --init-from, the file's. From a file with the mean head, rows starts from"
              + " the file's function (each row gets its share of the mean's weights).")
  String head;

  @Option(
      names = "--resume",
      description =
          "Continue the run in the run folder from its last checkpoint (weights,"
              + " optimiser state, schedule); the settings must match the run's.")
  boolean resume;

  @Option(
      names = "--allow-config-change",
      description =
          "With --resume: accept settings that differ from the run's"
              + " (fonts, batch size, seeds, learning rates); the network must still match.")
  boolean allowConfigChange;

  @Option(
      names = "--init-from",
      description =
          "Start from the weights of an exported model file (ONNX, as `export` writes it) instead of random ones; the network comes from the file.")
  Path initFrom;

  @Option(
      names = "--augment-rate",
      defaultValue = "0",
      description =
          "Share of training captchas degraded as on their way to"
              + " a user: JPEG 50-95, rescaling 0.5x-3x and back, sub-pixel shifts, blur, gamma, palettes (0..1; default: ${DEFAULT-VALUE}).")
  double augmentRate;

  @Option(
      names = "--glyph-variation",
      defaultValue = "0",
      description =
          "Share of training glyphs drawn with a random width, slant and stroke weight, for fonts beyond the list (default: ${DEFAULT-VALUE}).")
  double glyphVariation;

  @Option(
      names = "--lookalike-share",
      defaultValue = "0",
      description =
          "Share of training characters drawn from the look-alikes "
              + TrainingConfig.LOOKALIKES
              + " instead of the charset, keeping the charset's odds between them, so the pairs that decide the last points get more training (0..1, below 1; default: ${DEFAULT-VALUE}).")
  double lookalikeShare;

  @Option(
      names = "--keep-lookalike-cues",
      description =
          "Glyph variation keeps what tells look-alikes apart: strokes grow or shrink sideways only (glyph heights stay, as between l and I), and "
              + TrainingConfig.LOOKALIKES
              + " keep their width (as between 0 and O). The same captchas otherwise.")
  boolean keepLookalikeCues;

  @Option(
      names = "--site-fonts",
      paramLabel = "K",
      defaultValue = "0",
      description =
          "Draw each training captcha as a site that loads 1 to K font files: its characters share those faces, so the"
              + " network can learn to read a look-alike by the other characters' font. 0 (the default): every character"
              + " picks its face from all the fonts. Validation draws as the library does either way (0..32).")
  int siteFonts;

  @Option(
      names = "--small-digits",
      paramLabel = "RATE",
      defaultValue = "0",
      description =
          "Share of training captchas whose digits are drawn at 0.6 to 0.8 of their height, half of them as old-style figures"
              + " (0 1 2 small, 3 4 5 7 9 moved below the baseline), as fonts that draw digits at the height of their lowercase"
              + " letters do (0..1; default: ${DEFAULT-VALUE}).")
  double smallDigits;

  @Option(
      names = "--jpeg-min-quality",
      paramLabel = "Q",
      defaultValue = "50",
      description =
          "Lowest JPEG quality among the degraded training captchas (--augment-rate); qualities Q to 95 are drawn, the"
              + " low ones more often (10..95; default: ${DEFAULT-VALUE}).")
  int jpegMinQuality;

  @Option(
      names = "--shift-weight",
      paramLabel = "W",
      defaultValue = "3",
      description =
          "Weight of sub-pixel shifts (up to one pixel in x and y) among the changes of a degraded training captcha"
              + " (--augment-rate); rescaling has 3, JPEG 4, blur, gamma and palettes 1 each (0..20; default: ${DEFAULT-VALUE}).")
  int shiftWeight;

  @Option(
      names = "--input-color",
      paramLabel = "MODE",
      description =
          "Colour transform from image to the network's input, written into the exported model: min-rgb, or text-alpha (the same"
              + " on clean captchas, closer to them on JPEG-compressed ones; docs/model-format.md). Default: the --init-from"
              + " model's, else min-rgb.")
  String inputColor;

  @Option(
      names = "--quiet",
      description = "Show no progress (validation results are still printed).")
  boolean quiet;

  /**
   * The run's settings from the options; with --init-from, the file's network and input colour give
   * the defaults of those settings.
   *
   * @throws IllegalArgumentException if the options are invalid alone or together
   */
  TrainingConfig config() throws java.io.IOException {
    String command =
        "java -jar training/target/captcha-training.jar train "
            + String.join(" ", ArgsHolder.args());
    // With --init-from, the file's network gives the defaults of the network's settings.
    ai.onnx.proto.OnnxMl.ModelProto initModel =
        initFrom == null ? null : OnnxImporter.read(initFrom);
    CaptchaResNet.Spec file = initModel == null ? null : OnnxImporter.spec(initModel);
    if (widths == null) {
      widths =
          file == null
              ? TrainingConfig.STANDARD_WIDTHS
              : Arrays.stream(file.widths()).boxed().toList();
    }
    // TrainingConfig refuses a transform of more than the network's one channel.
    ColorMode color;
    if (inputColor != null) {
      color = InputOptions.color(inputColor);
    } else if (initModel != null) {
      String declared =
          Int8Quantizer.metadata(initModel).getOrDefault(ModelKeys.INPUT_COLOR, "min-rgb");
      color = ColorMode.parse(declared);
      if (color == null) {
        throw new IllegalArgumentException(
            initFrom + " declares input colour '" + declared + "'; known: " + ColorMode.labels());
      }
    } else {
      color = ColorMode.MIN_RGB;
    }
    CaptchaResNet.Head chosenHead =
        head != null
            ? CaptchaResNet.Head.of(head)
            : file == null ? CaptchaResNet.Head.MEAN_HEIGHT : file.head();
    TrainingConfig config =
        TrainingConfig.builder(runDir)
            .maxTime(Duration.ofMillis((long) (maxMinutes * 60_000)))
            .steps(steps)
            .batchSize(batchSize)
            .learningRates(lr, minLr, warmup)
            .seed(seed)
            .validation(valSize, valSeed, evalEvery)
            .fonts(fonts)
            .widths(widths)
            .threads(threads)
            .resume(resume, allowConfigChange)
            .command(command.trim())
            .initFrom(initFrom)
            .augmentRate(augmentRate)
            .glyphVariation(glyphVariation)
            .groupValidationSize(valPerGroup)
            .head(chosenHead)
            .lookalikeShare(lookalikeShare)
            .keepLookalikeCues(keepLookalikeCues)
            .inputColor(color)
            .siteFonts(siteFonts)
            .smallDigits(smallDigits)
            .jpegMinQuality(jpegMinQuality)
            .shiftWeight(shiftWeight)
            .build();
    if (allowConfigChange && !resume) {
      throw new IllegalArgumentException("--allow-config-change only applies with --resume");
    }
    return config;
  }

  @Override
  public Integer call() throws Exception {
    TrainingConfig config = config();
    Trainer.Accuracy acc = new Trainer(config, System.err, Progress.Mode.detect(quiet)).run();
    System.out.printf(
        Locale.ROOT,
        "validation (%d captchas): exact %.4f, per character %.5f%n",
        valSize,
        acc.exact(),
        acc.perCharacter());
    if (!acc.groupExact().isEmpty()) {
      System.out.printf(
          Locale.ROOT,
          "validation per font group (%d captchas each): exact %s%n",
          valPerGroup,
          Trainer.groupLine(acc.groupExact()));
    }
    return 0;
  }
}
