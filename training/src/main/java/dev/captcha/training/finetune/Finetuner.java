package dev.captcha.training.finetune;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.Charset;
import dev.captcha.generator.FontCatalog;
import dev.captcha.model.ColorMode;
import dev.captcha.model.ModelFormatException;
import dev.captcha.model.ModelKeys;
import dev.captcha.model.ModelMetadata;
import dev.captcha.report.Progress;
import dev.captcha.training.data.Augmenter;
import dev.captcha.training.data.BatchSource;
import dev.captcha.training.eval.OnnxModel;
import dev.captcha.training.export.OnnxImporter;
import dev.captcha.training.export.RunExporter;
import dev.captcha.training.model.CaptchaResNet;
import dev.captcha.training.quantize.Int8Quantizer;
import dev.captcha.training.train.RunFolder;
import dev.captcha.training.train.Trainer;
import dev.captcha.training.train.TrainingConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Fine-tunes an exported model for one deployment: starts from the file's weights, trains on the
 * new fonts and labelled images mixed with the base model's training fonts, and exports the result
 * with the export's parity check and metadata recording its lineage; one instance per run, used
 * from one thread.
 *
 * <p>All input is checked before anything is written; the model file appears only when it is
 * complete and has passed the parity check.
 */
public final class Finetuner {

  /** Metadata keys of the lineage of a fine-tuned model (docs/model-format.md). */
  public static final String BASE = "captcha.finetune.base";

  public static final String BASE_SHA256 = "captcha.finetune.base_sha256";
  public static final String FONTS = "captcha.finetune.fonts";
  public static final String LABELLED_KEY = "captcha.finetune.labelled";
  public static final String MIX = "captcha.finetune.mix";
  public static final String SLOT_MIX = "captcha.finetune.slot_mix";
  public static final String SLOT_TURN = "captcha.finetune.slot_turn";
  public static final String MINUTES = "captcha.finetune.minutes";
  public static final String VALIDATION = "captcha.finetune.validation";

  /**
   * Settings of one fine-tuning run.
   *
   * @param from the base model file
   * @param out the model file to write
   * @param fonts new font families or font files (may be empty)
   * @param labelled folders of labelled images (may be empty)
   * @param baseFonts the usual training fonts mixed in so nothing is forgotten
   * @param runDir run folder to keep (null: a temporary one, removed at the end)
   * @param name model name written (null: the output file's name without .onnx)
   * @param version model version written (null: the base model's)
   */
  public record Settings(
      Path from,
      Path out,
      List<String> fonts,
      List<Path> labelled,
      List<String> baseFonts,
      Duration maxTime,
      int steps,
      int batchSize,
      float peakLr,
      float floorLr,
      int warmupSteps,
      int evalEvery,
      int validationSize,
      double usualShare,
      double slotMix,
      double slotTurn,
      double augmentRate,
      long seed,
      int threads,
      Path runDir,
      String name,
      String version,
      String command) {
    public Settings {
      fonts = List.copyOf(fonts);
      labelled = List.copyOf(labelled);
      baseFonts = List.copyOf(baseFonts);
      if (fonts.isEmpty() && labelled.isEmpty()) {
        throw new IllegalArgumentException(
            "nothing to fine-tune on: give --fonts, --labelled or both");
      }
      if (!(usualShare > 0 && usualShare < 1)) {
        throw new IllegalArgumentException("--base-share must be between 0 and 1, exclusive");
      }
      if (!(slotMix >= 0 && slotMix <= 1)) {
        throw new IllegalArgumentException("--slot-mix must be between 0 and 1, got " + slotMix);
      }
      if (!(slotTurn >= 0 && slotTurn <= 45)) {
        throw new IllegalArgumentException(
            "--slot-turn must be between 0 and 45 degrees, got " + slotTurn);
      }
      if (validationSize < 1) {
        throw new IllegalArgumentException("--val-size must be >= 1");
      }
    }
  }

  /** The outcome: the file written and exact accuracy before and after, per validation set. */
  public record Report(
      Path file, Map<String, Double> before, Map<String, Double> after, Map<String, String> meta) {}

  /** Seed of the validation sets. */
  static final long VALIDATION_SEED = 20261201L;

  /** Seed of the hold-out split of the labelled images. */
  static final long SPLIT_SEED = 7L;

  private final Settings s;
  private final PrintStream out;
  private final PrintStream progress;
  private final Progress.Mode mode;

  public Finetuner(Settings settings, PrintStream out, PrintStream progress, Progress.Mode mode) {
    this.s = settings;
    this.out = out;
    this.progress = progress;
    this.mode = mode;
  }

  /** Runs the fine-tuning; returns the report, or null when the parity check failed. */
  public Report run() throws Exception {
    // 1. Everything the run needs, checked before anything is written.
    checkWritable(s.out());
    ModelProto base = OnnxImporter.read(s.from());
    Map<String, String> baseMeta = Int8Quantizer.metadata(base);
    ModelMetadata info;
    try {
      info = ModelMetadata.parse(baseMeta);
    } catch (ModelFormatException e) {
      throw new IllegalArgumentException(
          s.from() + " lacks the model-file metadata fine-tuning needs: " + e.getMessage());
    }
    if ("int8".equals(baseMeta.get(Int8Quantizer.PRECISION_KEY))) {
      throw new IllegalArgumentException(
          s.from() + " is an int8 model; fine-tune its float model and quantize the result");
    }
    if (!info.charset().equals(Charset.MODEL_CLASSES)
        || info.input().channels() != 1
        || (info.input().color() != ColorMode.MIN_RGB
            && info.input().color() != ColorMode.TEXT_ALPHA)) {
      throw new IllegalArgumentException(
          s.from() + " was not written by this exporter (charset or input layout differ)");
    }
    CaptchaResNet.Spec spec = OnnxImporter.spec(base);
    FontCatalog catalog = FontCatalog.scanDefault();
    for (String f : s.fonts()) {
      checkFont(f);
    }
    List<FontCatalog.WeightedFont> usualFaces = catalog.weighted(s.baseFonts());
    List<FontCatalog.WeightedFont> newFaces =
        s.fonts().isEmpty() ? List.of() : catalog.weighted(s.fonts());
    List<LabelledSamples.Sample> train = List.of();
    List<LabelledSamples.Sample> heldOut = List.of();
    String labelledLine = null;
    if (!s.labelled().isEmpty()) {
      LabelledSamples.Result r = LabelledSamples.read(s.labelled(), info.charset(), info.length());
      for (LabelledSamples.Skipped k : r.skipped()) {
        out.println("skipped " + k);
      }
      if (r.usable().isEmpty()) {
        throw new IllegalArgumentException(
            "no usable labelled samples in "
                + s.labelled()
                + " ("
                + r.skipped().size()
                + " files skipped, reasons above)");
      }
      List<List<LabelledSamples.Sample>> split = FinetuneData.split(r.usable(), SPLIT_SEED);
      train = split.get(0);
      heldOut = split.get(1);
      if (train.isEmpty()) {
        train = heldOut;
      }
      labelledLine =
          String.format(
              Locale.ROOT,
              "%d usable of %d files in %s: %d to train on, %d held out; %d skipped",
              r.usable().size(),
              r.usable().size() + r.skipped().size(),
              s.labelled().stream().map(Path::toString).collect(Collectors.joining(",")),
              train.size(),
              heldOut.size(),
              r.skipped().size());
      out.println("labelled: " + labelledLine);
    }

    // 2. The data and the run.
    CaptchaGenerator usual = CaptchaGenerator.builder().weightedFonts(usualFaces).build();
    CaptchaGenerator newGen =
        newFaces.isEmpty() ? null : CaptchaGenerator.builder().weightedFonts(newFaces).build();
    FinetuneData data =
        new FinetuneData(
            info.length(),
            info.input(),
            usual,
            newGen,
            train,
            heldOut,
            s.usualShare(),
            s.slotMix(),
            s.slotTurn(),
            s.augmentRate() > 0 ? new Augmenter(s.augmentRate()) : null,
            s.seed(),
            VALIDATION_SEED,
            s.validationSize());
    Map<String, BatchSource.Batch> sets = data.validation(spec);
    Map<String, Double> before = accuracy(s.from(), sets, spec);
    out.println("before (" + s.from().getFileName() + ", exact): " + describe(before, null, sets));

    boolean tempRun = s.runDir() == null;
    Path runDir = tempRun ? Files.createTempDirectory("captcha-finetune") : s.runDir();
    Path tmpOut = s.out().resolveSibling("." + s.out().getFileName() + ".tmp");
    try {
      List<String> fonts = new ArrayList<>(s.baseFonts());
      fonts.addAll(s.fonts());
      TrainingConfig config =
          TrainingConfig.builder(runDir)
              .maxTime(s.maxTime())
              .steps(s.steps())
              .batchSize(s.batchSize())
              .learningRates(s.peakLr(), s.floorLr(), s.warmupSteps())
              .seed(s.seed())
              .validation(
                  sets.values().stream().mapToInt(BatchSource.Batch::size).sum(),
                  VALIDATION_SEED,
                  s.evalEvery())
              .fonts(fonts)
              .widths(java.util.Arrays.stream(spec.widths()).boxed().toList())
              .threads(s.threads())
              .command(s.command())
              .initFrom(s.from())
              .augmentRate(s.augmentRate())
              .head(spec.head())
              .inputColor(info.input().color())
              .build();
      new Trainer(config, progress, mode, data).run();

      // 3. Export the best checkpoint, measure it in ONNX Runtime, record the lineage.
      String name =
          s.name() != null
              ? s.name()
              : s.out().getFileName().toString().replaceFirst("\\.onnx$", "");
      String version = s.version() != null ? s.version() : info.version();
      RunExporter.Report r =
          RunExporter.export(
              runDir, RunFolder.Choice.BEST, tmpOut, name, version, info.length(), 16, s.threads());
      out.printf(
          Locale.ROOT,
          "exported %s: ONNX Runtime vs DJL on %d random inputs, max abs logit difference %.3g%n",
          r.checkpoint(),
          r.parity().images(),
          r.parity().maxAbsDifference());
      if (!r.matches()) {
        progress.printf(
            Locale.ROOT,
            "export check failed: difference %.3g exceeds %.1g; %s not written%n",
            r.parity().maxAbsDifference(),
            RunExporter.TOLERANCE,
            s.out());
        return null;
      }
      Map<String, Double> after = accuracy(tmpOut, sets, spec);
      out.println("after (" + s.out().getFileName() + ", exact): " + describe(after, before, sets));
      Properties state = RunFolder.readState(runDir);
      Map<String, String> meta =
          new LinkedHashMap<>(Int8Quantizer.metadata(OnnxImporter.read(tmpOut)));
      // The base's preprocessing, which the fine-tuning read its labelled images with.
      meta.put(ModelKeys.INPUT_RESIZE, info.input().resize().label());
      meta.put(BASE, info.name() + " " + info.version());
      meta.put(BASE_SHA256, Int8Quantizer.sha256(s.from()));
      if (!s.fonts().isEmpty()) {
        meta.put(FONTS, String.join(",", s.fonts()));
      }
      if (labelledLine != null) {
        meta.put(LABELLED_KEY, labelledLine);
        meta.put(SLOT_MIX, String.format(Locale.ROOT, "%.2f", s.slotMix()));
        meta.put(SLOT_TURN, String.format(Locale.ROOT, "%.1f", s.slotTurn()));
      }
      meta.put(
          MIX,
          data.shares().entrySet().stream()
              .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue()))
              .collect(Collectors.joining(", ")));
      meta.put(
          MINUTES,
          String.format(
              Locale.ROOT,
              "%.1f",
              Double.parseDouble(state.getProperty("wall_seconds", "0")) / 60.0));
      meta.put(VALIDATION, describe(after, before, sets));
      Files.write(
          tmpOut, Int8Quantizer.withMetadata(OnnxImporter.read(tmpOut), meta).toByteArray());
      copyCharts(runDir, s.out());
      Files.move(
          tmpOut, s.out(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      out.printf(
          Locale.ROOT,
          "wrote %s (%,d bytes), %s %s, fine-tuned from %s%n",
          s.out(),
          Files.size(s.out()),
          name,
          version,
          meta.get(BASE));
      return new Report(s.out(), before, after, Map.copyOf(meta));
    } finally {
      Files.deleteIfExists(tmpOut);
      if (tempRun) {
        deleteTree(runDir);
      }
    }
  }

  /** Exact accuracy of a model file in ONNX Runtime on each validation set. */
  private Map<String, Double> accuracy(
      Path model, Map<String, BatchSource.Batch> sets, CaptchaResNet.Spec spec) {
    Map<String, Double> m = new LinkedHashMap<>();
    int length = spec.length();
    int classes = spec.classes();
    int item = spec.channels() * spec.height() * spec.width();
    try (OnnxModel onnx = OnnxModel.load(model, s.threads())) {
      for (Map.Entry<String, BatchSource.Batch> e : sets.entrySet()) {
        BatchSource.Batch b = e.getValue();
        long exact = 0;
        for (int start = 0; start < b.size(); start += 128) {
          int n = Math.min(128, b.size() - start);
          float[] x = java.util.Arrays.copyOfRange(b.inputs(), start * item, (start + n) * item);
          float[] logits = onnx.run(x, n);
          for (int i = 0; i < n; i++) {
            boolean all = true;
            for (int p = 0; p < length && all; p++) {
              int off = (i * length + p) * classes;
              int arg = 0;
              for (int c = 1; c < classes; c++) {
                if (logits[off + c] > logits[off + arg]) {
                  arg = c;
                }
              }
              all = arg == b.labels()[(start + i) * length + p];
            }
            exact += all ? 1 : 0;
          }
        }
        m.put(e.getKey(), (double) exact / b.size());
      }
    }
    return m;
  }

  private static String describe(
      Map<String, Double> now, Map<String, Double> before, Map<String, BatchSource.Batch> sets) {
    return now.entrySet().stream()
        .map(
            e ->
                before == null
                    ? String.format(
                        Locale.ROOT,
                        "%s (%d) %.4f",
                        e.getKey(),
                        sets.get(e.getKey()).size(),
                        e.getValue())
                    : String.format(
                        Locale.ROOT,
                        "%s (%d) %.4f -> %.4f",
                        e.getKey(),
                        sets.get(e.getKey()).size(),
                        before.get(e.getKey()),
                        e.getValue()))
        .collect(Collectors.joining("; "));
  }

  /** Refuses an output path whose folder is missing or not writable, or that is a folder. */
  public static void checkWritable(Path out) throws IOException {
    Path abs = out.toAbsolutePath();
    Path dir = abs.getParent();
    if (Files.isDirectory(abs)) {
      throw new IllegalArgumentException("output " + out + " is a folder; give a file name");
    }
    if (dir == null || !Files.isDirectory(dir)) {
      throw new IllegalArgumentException(
          "cannot write " + out + ": folder " + dir + " does not exist");
    }
    try {
      Path probe = Files.createTempFile(dir, ".finetune-probe", ".tmp");
      Files.delete(probe);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot write " + out + ": " + e.getMessage());
    }
    if (Files.exists(abs) && !Files.isWritable(abs)) {
      throw new IllegalArgumentException("cannot write " + out + ": the file is not writable");
    }
  }

  /** Refuses a file given as a font that is not one (family names are checked by the catalog). */
  static void checkFont(String spec) {
    Path p = Path.of(spec);
    if (!Files.isRegularFile(p)) {
      return;
    }
    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
    if (!(name.endsWith(".ttf") || name.endsWith(".otf") || name.endsWith(".ttc"))) {
      throw new IllegalArgumentException(
          "--fonts " + spec + ": not a font file (TrueType .ttf or .ttc, OpenType .otf)");
    }
    FontCatalog.loadAll(p);
  }

  private static void copyCharts(Path runDir, Path out) throws IOException {
    String stem = out.getFileName().toString().replaceFirst("\\.onnx$", "");
    for (String ext : List.of("png", "svg", "csv")) {
      Path src = runDir.resolve("metrics." + ext);
      if (Files.exists(src)) {
        Files.copy(
            src, out.resolveSibling(stem + "-metrics." + ext), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
