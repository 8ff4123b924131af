package dev.captcha.training.quantize;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.FontCatalog;
import dev.captcha.training.eval.OnnxModel;
import dev.captcha.training.eval.Samples;
import dev.captcha.training.export.ModelFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Quantizes a float model file and writes the int8 file only if it passes the {@link AccuracyGuard}
 * on fresh captchas of the training fonts, of the held-out fonts and on the reference set;
 * stateless and thread-safe (each call has its own sessions and files).
 */
public final class GuardedQuantization {

  /**
   * The guard's data and limit; immutable.
   *
   * @param images fresh captchas per font set (training fonts, held-out fonts)
   * @param trainingFontsSeed seed of the training-font captchas
   * @param heldOutSeed seed of the held-out-font captchas
   * @param referenceDir folder of {@code <index>_<text>} reference images, or null to skip it
   * @param referenceFrom the first reference index used (earlier cases are other lengths)
   * @param maxDropPoints exact-accuracy points int8 may lose on any set
   * @param batchSize images per inference batch
   * @param threads ONNX Runtime threads
   */
  public record GuardSettings(
      int images,
      long trainingFontsSeed,
      long heldOutSeed,
      Path referenceDir,
      int referenceFrom,
      double maxDropPoints,
      int batchSize,
      int threads) {
    public GuardSettings {
      if (images < 1) {
        throw new IllegalArgumentException("--guard-images must be >= 1, got " + images);
      }
      if (!(maxDropPoints >= 0)) {
        throw new IllegalArgumentException("--max-drop must be >= 0, got " + maxDropPoints);
      }
      if (batchSize < 1 || threads < 1) {
        throw new IllegalArgumentException("batch size and threads must be >= 1");
      }
      if (referenceDir != null && !Files.isDirectory(referenceDir)) {
        throw new IllegalArgumentException("reference folder " + referenceDir + " does not exist");
      }
    }
  }

  /** What happened: the guard's figures, and whether the file was written. */
  public record Report(
      Path file,
      boolean written,
      long bytes,
      AccuracyGuard.Outcome guard,
      Int8Quantizer.Result result) {}

  private GuardedQuantization() {}

  /**
   * Quantizes {@code floatFile}, compares both on the guard's sets and, if the int8 model loses no
   * more than the limit on any, writes it to {@code out} (atomically) with the guard's figures in
   * its metadata; otherwise writes nothing. Progress goes to {@code log}.
   */
  public static Report run(
      Path floatFile,
      Path out,
      Int8Quantizer.Settings settings,
      GuardSettings guard,
      PrintStream log)
      throws IOException {
    if (floatFile.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
      throw new IllegalArgumentException(
          "the int8 file must not replace the float file " + floatFile);
    }
    ModelProto floatModel = Int8Quantizer.read(floatFile);
    long t0 = System.nanoTime();
    Int8Quantizer.Result result = Int8Quantizer.quantize(floatModel, floatFile, settings);
    log.printf(
        Locale.ROOT,
        "calibrated %d tensors on %d captchas (%s) and quantized %d nodes in %.1f s%n",
        result.ranges().size(),
        settings.calibrationImages(),
        settings.method().label(),
        result.quantizedNodes().size(),
        (System.nanoTime() - t0) / 1e9);
    Path parent = out.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = ModelFiles.temporary(parent, out.getFileName().toString());
    try {
      write(result.model(), tmp);
      AccuracyGuard.Outcome outcome;
      try (OnnxModel f = OnnxModel.load(floatFile, guard.threads());
          OnnxModel q = OnnxModel.load(tmp, guard.threads())) {
        outcome =
            AccuracyGuard.compare(f, q, sets(guard), guard.batchSize(), guard.maxDropPoints());
      }
      if (!outcome.passed()) {
        return new Report(out, false, 0, outcome, result);
      }
      Map<String, String> meta = Int8Quantizer.metadata(result.model());
      meta.put(
          "captcha.quantization.guard",
          String.format(
              Locale.ROOT, "max drop %.2f points; %s", guard.maxDropPoints(), outcome.summary()));
      write(Int8Quantizer.withMetadata(result.model(), meta), tmp);
      Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return new Report(out, true, Files.size(out), outcome, result);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void write(ModelProto model, Path file) throws IOException {
    try (OutputStream os = Files.newOutputStream(file)) {
      model.writeTo(os);
    }
  }

  static List<AccuracyGuard.Set> sets(GuardSettings g) throws IOException {
    FontCatalog fonts = FontCatalog.scanDefault();
    List<AccuracyGuard.Set> sets = new ArrayList<>();
    CaptchaGenerator training =
        CaptchaGenerator.builder().fonts(fonts.resolve(FontCatalog.TRAINING_FAMILIES)).build();
    sets.add(
        new AccuracyGuard.Set(
            String.format(
                Locale.ROOT, "fresh captchas, training fonts (seed %d)", g.trainingFontsSeed()),
            Samples.generated(training, g.trainingFontsSeed(), g.images())));
    CaptchaGenerator heldOut =
        CaptchaGenerator.builder().fonts(fonts.resolve(FontCatalog.HELD_OUT_FAMILIES)).build();
    sets.add(
        new AccuracyGuard.Set(
            String.format(Locale.ROOT, "fresh captchas, held-out fonts (seed %d)", g.heldOutSeed()),
            Samples.generated(heldOut, g.heldOutSeed(), g.images())));
    if (g.referenceDir() != null) {
      sets.add(
          new AccuracyGuard.Set(
              String.format(
                  Locale.ROOT,
                  "reference %s, cases %04d-",
                  g.referenceDir().getFileName(),
                  g.referenceFrom()),
              referenceCases(g.referenceDir(), g.referenceFrom())));
    }
    return sets;
  }

  /** The labelled images of {@code dir} with index {@code from} or above. */
  static Samples referenceCases(Path dir, int from) throws IOException {
    Samples all = Samples.folder(dir);
    Pattern labelled = Pattern.compile("(\\d+)_.+\\.(png|jpe?g|gif|bmp)", Pattern.CASE_INSENSITIVE);
    long skipped;
    try (Stream<Path> files = Files.list(dir)) {
      skipped =
          files
              .map(p -> labelled.matcher(p.getFileName().toString()))
              .filter(Matcher::matches)
              .filter(m -> Long.parseLong(m.group(1)) < from)
              .count();
    }
    int offset = (int) skipped;
    if (offset >= all.size()) {
      throw new IllegalArgumentException(
          "no reference image in " + dir + " has index " + from + " or above");
    }
    return new Samples() {
      @Override
      public int size() {
        return all.size() - offset;
      }

      @Override
      public Sample get(int index) throws IOException {
        return all.get(offset + index);
      }
    };
  }
}
