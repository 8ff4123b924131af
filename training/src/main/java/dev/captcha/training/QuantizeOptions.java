package dev.captcha.training;

import dev.captcha.generator.FontCatalog;
import dev.captcha.training.quantize.AccuracyGuard;
import dev.captcha.training.quantize.ActivationType;
import dev.captcha.training.quantize.CalibrationMethod;
import dev.captcha.training.quantize.GuardedQuantization;
import dev.captcha.training.quantize.Int8Quantizer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.Option;

/** The int8 quantization and accuracy-guard options shared by the quantize and export commands. */
final class QuantizeOptions {

  @Option(
      names = "--calibration",
      defaultValue = "1000",
      paramLabel = "N",
      description =
          "Generated captchas (training fonts) the activation ranges are calibrated on (default: ${DEFAULT-VALUE}).")
  int calibration;

  @Option(
      names = "--calibration-seed",
      defaultValue = "4001",
      description = "Seed of the calibration captchas (default: ${DEFAULT-VALUE}).")
  long calibrationSeed;

  @Option(
      names = "--calibration-method",
      defaultValue = "mse",
      description =
          "How each activation range is chosen from its histogram: mse (least expected squared error),"
              + " percentile, minmax (default: ${DEFAULT-VALUE}).")
  String method;

  @Option(
      names = "--percentile",
      defaultValue = "99.999",
      description = "Percentile of --calibration-method percentile (default: ${DEFAULT-VALUE}).")
  double percentile;

  @Option(
      names = "--activations",
      defaultValue = "u8",
      description = "8-bit type of activations: u8 or s8 (default: ${DEFAULT-VALUE}).")
  String activations;

  @Option(
      names = "--keep-float",
      split = ",",
      paramLabel = "NODE",
      description = "Conv/Gemm/Add nodes to leave in float, by name (for example stem,head).")
  List<String> keepFloat = List.of();

  @Option(
      names = "--guard-images",
      defaultValue = "2000",
      description =
          "Fresh captchas per font set (training fonts, held-out fonts) the accuracy guard compares on (default: ${DEFAULT-VALUE}).")
  int guardImages;

  @Option(
      names = "--guard-seeds",
      split = ",",
      defaultValue = "4002,4003",
      description =
          "Seeds of the guard's training-font and held-out-font captchas (default: ${DEFAULT-VALUE}).")
  long[] guardSeeds;

  @Option(
      names = "--reference",
      defaultValue = "reference/afocus-go",
      description =
          "Folder of <index>_<text> reference images the guard also compares on; 'none' to skip (default: ${DEFAULT-VALUE}).")
  String reference;

  @Option(
      names = "--reference-from",
      defaultValue = "400",
      description =
          "First reference index the guard uses; earlier cases are not full captchas (default: ${DEFAULT-VALUE}).")
  int referenceFrom;

  @Option(
      names = "--max-drop",
      defaultValue = "0.2",
      description =
          "Exact-accuracy points the int8 model may lose on any guard set (default: ${DEFAULT-VALUE}).")
  double maxDrop;

  Int8Quantizer.Settings settings(int threads) {
    return new Int8Quantizer.Settings(
        calibration,
        calibrationSeed,
        FontCatalog.TRAINING_FAMILIES,
        parseMethod(),
        percentile,
        parseActivations(),
        Set.copyOf(keepFloat),
        threads);
  }

  GuardedQuantization.GuardSettings guard(int threads) {
    if (guardSeeds.length != 2) {
      throw new IllegalArgumentException(
          "--guard-seeds takes two seeds (training fonts, held-out fonts)");
    }
    Path ref = reference.equals("none") ? null : Path.of(reference);
    if (ref != null && !Files.isDirectory(ref)) {
      throw new IllegalArgumentException(
          "reference folder " + ref + " does not exist (pass --reference none to skip it)");
    }
    return new GuardedQuantization.GuardSettings(
        guardImages, guardSeeds[0], guardSeeds[1], ref, referenceFrom, maxDrop, 64, threads);
  }

  private CalibrationMethod parseMethod() {
    try {
      return CalibrationMethod.valueOf(method.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--calibration-method must be mse, percentile or minmax, got '" + method + "'");
    }
  }

  private ActivationType parseActivations() {
    try {
      return ActivationType.valueOf(activations.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--activations must be u8 or s8, got '" + activations + "'");
    }
  }

  /**
   * Quantizes {@code floatFile} to {@code out} through the guard and prints the figures; returns
   * the exit code: 0 written, 1 refused by the guard (nothing written).
   */
  int run(Path floatFile, Path out, int threads, PrintStream stdout, PrintStream stderr)
      throws Exception {
    Int8Quantizer.Settings s = settings(threads);
    GuardedQuantization.GuardSettings g = guard(threads);
    GuardedQuantization.Report r = GuardedQuantization.run(floatFile, out, s, g, stderr);
    AccuracyGuard.Outcome o = r.guard();
    stdout.printf(
        Locale.ROOT,
        "accuracy guard: float %s vs int8, limit %.2f points of exact accuracy per set%n",
        floatFile,
        o.maxDropPoints());
    stdout.print(o.table());
    if (!r.written()) {
      stderr.printf(
          Locale.ROOT,
          "refused: the int8 model loses more than %.2f points of exact accuracy on a set;"
              + " %s not written%n",
          o.maxDropPoints(),
          out);
      return 1;
    }
    stdout.printf(
        Locale.ROOT,
        "wrote %s (%,d bytes), precision int8, activations %s, float layers: %s%n",
        r.file(),
        r.bytes(),
        s.activations().label(),
        Int8Quantizer.metadata(r.result().model()).get("captcha.quantization.float_layers"));
    return 0;
  }
}
