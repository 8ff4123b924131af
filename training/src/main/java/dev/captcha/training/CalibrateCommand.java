package dev.captcha.training;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.FontCatalog;
import dev.captcha.model.ConfidenceTally;
import dev.captcha.model.HeadsDecoder;
import dev.captcha.model.ModelFormatException;
import dev.captcha.model.ModelKeys;
import dev.captcha.model.ModelMetadata;
import dev.captcha.report.Progress;
import dev.captcha.training.calibrate.TemperatureFit;
import dev.captcha.training.data.Augmenter;
import dev.captcha.training.eval.Evaluator;
import dev.captcha.training.eval.InferenceException;
import dev.captcha.training.eval.OnnxModel;
import dev.captcha.training.eval.Samples;
import dev.captcha.training.export.ModelFiles;
import dev.captcha.training.quantize.Int8Quantizer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code calibrate} command: fits a model's confidence temperature on fresh generated captchas
 * and writes a copy of the model file carrying it.
 */
@Command(
    name = "calibrate",
    mixinStandardHelpOptions = true,
    description =
        "Fits the confidence temperature T of an ONNX model (softmax(logits / T), temperature scaling)"
            + " on freshly generated captchas by minimising the per-position negative log-likelihood of the"
            + " true characters, prints NLL, expected calibration error and the confidence thresholds table"
            + " before and after, and writes a copy of the model with every metadata entry kept plus"
            + " captcha.confidence.temperature. The text the model reads does not change.")
final class CalibrateCommand implements Callable<Integer> {

  /**
   * The default seed: apart from training (1), validation (20261128) and evaluation (2027, 2028).
   */
  static final long DEFAULT_SEED = 5001;

  @Option(
      names = {"-m", "--model"},
      defaultValue = "models/captcha-resnet.onnx",
      description = "ONNX model file to calibrate (default: ${DEFAULT-VALUE}).")
  Path model;

  @Option(
      names = {"-o", "--out"},
      required = true,
      description = "ONNX file to write: the model with its fitted temperature.")
  Path out;

  @Option(
      names = "--generate",
      paramLabel = "N",
      defaultValue = "2000",
      description = "Captchas generated to fit on (default: ${DEFAULT-VALUE}).")
  int generate;

  @Option(
      names = "--seed",
      defaultValue = "" + DEFAULT_SEED,
      description =
          "Seed of the generated captchas; keep it apart from the training (1), validation (20261128)"
              + " and evaluation (2027, 2028) seeds (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--fonts",
      split = ",",
      description =
          "Font families or files of the generated captchas, each style group an equal share (default:"
              + " the training families).")
  List<String> fonts = FontCatalog.TRAINING_FAMILIES;

  @Option(
      names = "--augment-rate",
      defaultValue = "0",
      description =
          "Share of the captchas degraded as on their way to a user (JPEG, rescaling, shifts,"
              + " blur, gamma, palettes), as in training; confidence then also has to hold for"
              + " images that are not pristine (default: ${DEFAULT-VALUE}).")
  double augmentRate;

  @Option(
      names = "--glyph-variation",
      defaultValue = "0",
      description =
          "Share of glyphs drawn with a random width, slant and weight, as in training, a stand-in"
              + " for fonts the model has not seen (default: ${DEFAULT-VALUE}).")
  double glyphVariation;

  @Option(
      names = "--batch-size",
      defaultValue = "64",
      description = "Images per inference batch (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(
      names = "--threads",
      defaultValue = "2",
      description = "ONNX Runtime intra-op threads (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--quiet", description = "Show no progress.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    if (generate < 1) {
      throw new IllegalArgumentException("--generate must be >= 1, got " + generate);
    }
    Path target = ModelFiles.checkedOutput(out, model, "calibrated");
    ModelProto proto = ModelFiles.readGiven(model);
    if (!(glyphVariation >= 0 && glyphVariation <= 1)) {
      throw new IllegalArgumentException(
          "--glyph-variation must be in [0, 1], got " + glyphVariation);
    }
    // Validated here so that a bad rate is a usage error, before any work.
    Augmenter augmenter = new Augmenter(augmentRate);
    FontCatalog catalog = FontCatalog.scanDefault();
    CaptchaGenerator generator =
        CaptchaGenerator.builder()
            .weightedFonts(catalog.weighted(fonts))
            .glyphVariation(glyphVariation)
            .build();
    Samples samples =
        Samples.generated(generator, seed, generate)
            .mapImages((i, image) -> augmenter.apply(image, seed, i));
    String data =
        String.format(
            Locale.ROOT,
            "%d generated captchas (seed %d, fonts %s%s)",
            generate,
            seed,
            fonts.equals(FontCatalog.TRAINING_FAMILIES)
                ? "the " + fonts.size() + " training families"
                : String.join(", ", fonts),
            augmentRate > 0 || glyphVariation > 0
                ? String.format(
                    Locale.ROOT,
                    "; glyph variation %s, degraded %s",
                    plain(glyphVariation),
                    plain(augmentRate))
                : "");

    OnnxModel onnx;
    try {
      onnx = OnnxModel.load(model, threads);
    } catch (InferenceException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    try (onnx) {
      ModelMetadata info = onnx.info();
      Evaluator.Logits logits;
      try (Progress bar =
          Progress.of("ran", "images", generate, Progress.Mode.detect(quiet), System.err)) {
        logits = new Evaluator(onnx, batchSize).logits(samples, bar::update);
      }
      int[] targets = targets(logits.truths(), info);
      double before = info.confidenceTemperature();
      double fitted = TemperatureFit.fit(logits.values(), targets, info.classes());
      String written = String.format(Locale.ROOT, "%.4f", fitted);
      double after = Double.parseDouble(written);
      double nllBefore = TemperatureFit.nll(logits.values(), targets, info.classes(), before);
      double nllAfter = TemperatureFit.nll(logits.values(), targets, info.classes(), after);
      ConfidenceTally tallyBefore = tally(logits, info, before);
      ConfidenceTally tallyAfter = tally(logits, info, after);

      PrintStream o = System.out;
      o.printf(Locale.ROOT, "model        %s %s (%s)%n", info.name(), info.version(), model);
      o.printf(Locale.ROOT, "data         %s%n", data);
      o.printf(
          Locale.ROOT,
          "exact        %.4f (%d/%d)%n",
          (double) tallyBefore.exact() / tallyBefore.images(),
          tallyBefore.exact(),
          tallyBefore.images());
      o.printf(
          Locale.ROOT,
          "temperature  %s -> %s%s%n",
          plain(before),
          written,
          fitted <= TemperatureFit.MIN * 1.001 || fitted >= TemperatureFit.MAX / 1.001
              ? " (at the edge of the search range; more or harder captchas may help)"
              : "");
      o.printf(Locale.ROOT, "per-position NLL  %.5f -> %.5f (nats)%n", nllBefore, nllAfter);
      o.printf(
          Locale.ROOT,
          "expected calibration error  %.4f -> %.4f (captcha confidence against exactness, %d bins)%n",
          tallyBefore.expectedCalibrationError(),
          tallyAfter.expectedCalibrationError(),
          ConfidenceTally.ECE_BINS);
      o.printf(Locale.ROOT, "before (T = %s)%n", plain(before));
      o.print(tallyBefore.format("  "));
      o.printf(Locale.ROOT, "after (T = %s)%n", written);
      o.print(tallyAfter.format("  "));

      Map<String, String> meta = Int8Quantizer.metadata(proto);
      meta.put(ModelKeys.CONFIDENCE_TEMPERATURE, written);
      meta.put(
          ModelKeys.CONFIDENCE_CALIBRATION,
          String.format(
              Locale.ROOT,
              "temperature fitted by per-position NLL on %s; NLL %.5f -> %.5f, ECE %.4f -> %.4f",
              data,
              nllBefore,
              nllAfter,
              tallyBefore.expectedCalibrationError(),
              tallyAfter.expectedCalibrationError()));
      try {
        ModelMetadata.parse(meta);
      } catch (ModelFormatException e) {
        throw new IllegalStateException("the calibrated metadata does not parse", e);
      }
      long bytes = ModelFiles.write(Int8Quantizer.withMetadata(proto, meta), target);
      o.printf(Locale.ROOT, "wrote %s (%,d bytes), T = %s%n", out, bytes, written);
    }
    return 0;
  }

  /** Confidence against exactness of every captcha at temperature {@code t}. */
  private static ConfidenceTally tally(Evaluator.Logits logits, ModelMetadata info, double t) {
    HeadsDecoder d = new HeadsDecoder(info.charset(), info.length(), 1, t);
    ConfidenceTally tally = new ConfidenceTally();
    for (int i = 0; i < logits.truths().length; i++) {
      int offset = i * d.itemSize();
      tally.add(
          d.confidence(logits.values(), offset),
          d.text(logits.values(), offset).equals(logits.truths()[i]));
    }
    return tally;
  }

  /** The class index of every position of every true text. */
  static int[] targets(String[] truths, ModelMetadata info) {
    Map<Integer, Integer> index = new HashMap<>();
    int[] charset = info.charset().codePoints().toArray();
    for (int i = 0; i < charset.length; i++) {
      index.put(charset[i], i);
    }
    int[] targets = new int[truths.length * info.length()];
    for (int i = 0; i < truths.length; i++) {
      int[] cps = truths[i].codePoints().toArray();
      if (cps.length != info.length()) {
        throw new IllegalArgumentException(
            "captcha text '"
                + truths[i]
                + "' does not have the model's "
                + info.length()
                + " characters");
      }
      for (int p = 0; p < cps.length; p++) {
        Integer c = index.get(cps[p]);
        if (c == null) {
          throw new IllegalArgumentException(
              "captcha text '" + truths[i] + "' has characters outside the model's charset");
        }
        targets[i * info.length() + p] = c;
      }
    }
    return targets;
  }

  private static String plain(double t) {
    return t == Math.rint(t) ? Long.toString((long) t) : Double.toString(t);
  }
}
