package dev.captcha.training;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.FontCatalog;
import dev.captcha.model.Tally;
import dev.captcha.report.EvaluationReport;
import dev.captcha.report.Progress;
import dev.captcha.training.data.Degradation;
import dev.captcha.training.eval.Evaluator;
import dev.captcha.training.eval.OnnxModel;
import dev.captcha.training.eval.Samples;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code evaluate} command: accuracy of an ONNX model file, run by ONNX Runtime, on labelled
 * captchas.
 */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description =
        "Runs an exported ONNX model (ONNX Runtime, preprocessing from its metadata) over a folder of"
            + " <index>_<text> images or freshly generated captchas and prints exact, case-folded and look-alike-merged"
            + " sequence accuracy, per-character accuracy, the commonest confusions and throughput.")
final class EvaluateCommand implements Callable<Integer> {

  @Option(
      names = {"-m", "--model"},
      defaultValue = "models/captcha-resnet.onnx",
      description = "ONNX model file (default: ${DEFAULT-VALUE}).")
  Path model;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  static final class Source {
    @Option(
        names = "--dir",
        description = "Folder of images named <index>_<text>.png (or jpg, gif, bmp).")
    Path dir;

    @Option(
        names = "--generate",
        paramLabel = "N",
        description = "Evaluate on N captchas generated now.")
    Integer generate;
  }

  @Option(
      names = "--seed",
      defaultValue = "2027",
      description =
          "Seed of generated captchas; keep it apart from the training (1) and validation (20261128) seeds (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--fonts",
      split = ",",
      description =
          "Font families or files for generated captchas, each style group an equal share (default: the training families).")
  List<String> fonts = FontCatalog.TRAINING_FAMILIES;

  @Option(
      names = "--held-out-fonts",
      description =
          "Generate with the font zoo's held-out families (FontCatalog.HELD_OUT_FAMILIES).")
  boolean heldOut;

  @Option(
      names = "--batch-size",
      defaultValue = "256",
      description = "Images per inference batch (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(
      names = "--threads",
      defaultValue = "2",
      description = "ONNX Runtime intra-op threads (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(
      names = "--confusions",
      defaultValue = "15",
      description = "How many of the commonest confusions to print (default: ${DEFAULT-VALUE}).")
  int confusions;

  @Option(names = "--json", description = "Also write the results to this JSON file.")
  Path json;

  @Option(
      names = "--perturb",
      split = ",",
      paramLabel = "CHANGE",
      description =
          "Also evaluate the same images after each change and report exact accuracy per change beside the"
              + " clean figure: none, jpegQ, scaleF-FILTER (nearest, bilinear, bicubic, area; the model's preprocessing"
              + " scales it back), shiftD or shiftDX:DY, blurS, gammaG, paletteN, palette-web, chains joined with '+',"
              + " or 'suite' for "
              + SUITE_TEXT
              + ".")
  List<String> perturb;

  /** The changes of the robustness table: JPEG, rescaling and sub-pixel shifts. */
  static final List<String> SUITE =
      List.of(
          "none",
          "jpeg90",
          "jpeg75",
          "jpeg50",
          "scale2-bilinear",
          "scale2-nearest",
          "shift0.25",
          "shift0.5");

  private static final String SUITE_TEXT =
      "none,jpeg90,jpeg75,jpeg50,scale2-bilinear,scale2-nearest,shift0.25,shift0.5";

  @Option(
      names = "--report",
      paramLabel = "DIR",
      description =
          "Also write an HTML report into DIR: accuracy tables"
              + " (per font for generated captchas), a heat map of misread characters, accuracy against confidence and every"
              + " misread captcha with its candidates; it opens offline.")
  Path report;

  @Option(names = "--quiet", description = "Show no progress.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    if (confusions < 0) {
      throw new IllegalArgumentException("--confusions must be >= 0");
    }
    List<Degradation> changes =
        new ArrayList<>(perturb == null ? List.of() : perturbations(perturb));
    if (!changes.isEmpty() && changes.stream().noneMatch(d -> d instanceof Degradation.None)) {
      changes.add(0, new Degradation.None());
    }
    String what;
    Samples samples;
    if (source.dir != null) {
      samples = Samples.folder(source.dir);
      what = source.dir.toString();
    } else {
      List<String> families = heldOut ? FontCatalog.HELD_OUT_FAMILIES : fonts;
      FontCatalog catalog = FontCatalog.scanDefault();
      CaptchaGenerator generator =
          CaptchaGenerator.builder().weightedFonts(catalog.weighted(families)).build();
      samples = Samples.generated(generator, seed, source.generate);
      what =
          String.format(
              Locale.ROOT,
              "%d generated captchas (seed %d, fonts %s)",
              source.generate,
              seed,
              String.join(", ", families));
    }
    try (OnnxModel onnx = OnnxModel.load(model, threads)) {
      int total = samples.size();
      EvaluationReport page = report == null ? null : new EvaluationReport();
      Evaluator.Result r;
      try (Progress bar =
          Progress.of("evaluated", "images", total, Progress.Mode.detect(quiet), System.err)) {
        r =
            new Evaluator(onnx, batchSize)
                .evaluate(
                    samples,
                    bar::update,
                    page == null
                        ? null
                        : (sample, answer) ->
                            page.add(
                                sample.name(),
                                sample.text(),
                                answer,
                                sample.fonts(),
                                () -> png(sample)));
      }
      Tally t = r.tally();
      List<Tally.Confusion> top = t.topConfusions(confusions);
      System.out.printf(
          Locale.ROOT,
          "model       %s %s (%s)%n",
          onnx.info().name(),
          onnx.info().version(),
          model);
      System.out.printf(Locale.ROOT, "data        %s%n", what);
      System.out.printf(Locale.ROOT, "images      %d%n", t.images());
      System.out.printf(Locale.ROOT, "exact       %.4f%n", t.exactAccuracy());
      System.out.printf(Locale.ROOT, "case-folded %.4f%n", t.caseFoldedAccuracy());
      System.out.printf(
          Locale.ROOT,
          "merged      %.4f   (case-folded, {0,O,o} and {1,l,I} merged)%n",
          t.mergedAccuracy());
      System.out.printf(Locale.ROOT, "per char    %.5f%n", t.characterAccuracy());
      System.out.printf(
          Locale.ROOT,
          "throughput  %.0f images/s overall, %.0f images/s inference (batch %d, %d threads)%n",
          r.imagesPerSecond(),
          r.inferenceImagesPerSecond(),
          batchSize,
          threads);
      System.out.printf(
          Locale.ROOT,
          "confusions  %s%n",
          top.isEmpty()
              ? "none"
              : top.stream().map(Tally.Confusion::toString).collect(Collectors.joining(", ")));
      List<Row> rows = new ArrayList<>();
      if (!changes.isEmpty()) {
        for (Degradation d : changes) {
          Tally changed =
              d instanceof Degradation.None
                  ? t
                  : new Evaluator(onnx, batchSize)
                      .evaluate(
                          perturbed(samples, d),
                          done ->
                              System.err.printf(
                                  Locale.ROOT, "\r%s: evaluated %d/%d", d.name(), done, total))
                      .tally();
          rows.add(new Row(d.name(), changed));
        }
        System.err.println();
        System.out.printf(
            Locale.ROOT,
            "robustness  the same %d images after each change (none: as they are)%n",
            t.images());
        System.out.printf(
            Locale.ROOT, "  %-28s %7s %7s %7s%n", "change", "exact", "points", "merged");
        for (Row row : rows) {
          System.out.printf(
              Locale.ROOT,
              "  %-28s %7.4f %+7.2f %7.4f%n",
              row.change(),
              row.tally().exactAccuracy(),
              100 * (row.tally().exactAccuracy() - t.exactAccuracy()),
              row.tally().mergedAccuracy());
        }
      }
      if (json != null) {
        Json.write(json, toJson(model, what, r, top, rows));
      }
      if (page != null) {
        Path index =
            page.write(
                report,
                "Evaluation of " + onnx.info().name() + " " + onnx.info().version(),
                EvaluationReport.facts(
                    "model",
                    onnx.info().name() + " " + onnx.info().version() + " (" + model + ")",
                    "data",
                    what,
                    "images",
                    Integer.toString(total)));
        System.err.println("report: " + index);
      }
    }
    return 0;
  }

  /** Accuracy of the images after one change. */
  private record Row(String change, Tally tally) {}

  /**
   * The changes named in {@code names}, in order, {@code suite} expanded to {@link #SUITE}.
   *
   * @throws IllegalArgumentException naming an unknown or malformed change and the known forms
   */
  static List<Degradation> perturbations(List<String> names) {
    List<Degradation> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String raw : names) {
      String name = raw.trim();
      if (name.isEmpty()) {
        throw new IllegalArgumentException(
            "--perturb has an empty change; known: " + Degradation.GRAMMAR + ", or suite");
      }
      for (String n : name.equalsIgnoreCase("suite") ? SUITE : List.of(name)) {
        Degradation d;
        try {
          d = Degradation.parse(n);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "--perturb: "
                  + e.getMessage()
                  + (e.getMessage().contains("known") ? ", or suite" : ""),
              e);
        }
        if (seen.add(d.name())) {
          out.add(d);
        }
      }
    }
    return List.copyOf(out);
  }

  /** The samples with {@code change} applied to each image. */
  private static Samples perturbed(Samples base, Degradation change) {
    return new Samples() {
      @Override
      public int size() {
        return base.size();
      }

      @Override
      public Sample get(int index) throws IOException {
        Sample s = base.get(index);
        return new Sample(s.name(), s.text(), change.apply(s.image()));
      }
    };
  }

  private static EvaluationReport.Picture png(Samples.Sample sample) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ImageIO.write(sample.image(), "png", bytes);
    return new EvaluationReport.Picture(bytes.toByteArray(), "png");
  }

  private ObjectNode toJson(
      Path modelFile, String data, Evaluator.Result r, List<Tally.Confusion> top, List<Row> rows) {
    Tally t = r.tally();
    ObjectNode n = Json.object();
    n.put("model", modelFile.toString());
    n.put("data", data);
    n.put("images", t.images());
    n.put("exact_accuracy", Json.rounded(t.exactAccuracy(), 6));
    n.put("case_folded_accuracy", Json.rounded(t.caseFoldedAccuracy(), 6));
    n.put("merged_accuracy", Json.rounded(t.mergedAccuracy(), 6));
    n.put("char_accuracy", Json.rounded(t.characterAccuracy(), 6));
    n.put("images_per_second", Json.rounded(r.imagesPerSecond(), 1));
    n.put("inference_images_per_second", Json.rounded(r.inferenceImagesPerSecond(), 1));
    n.put("batch_size", batchSize);
    n.put("threads", threads);
    ArrayNode confusions = n.putArray("confusions");
    for (Tally.Confusion c : top) {
      confusions
          .addObject()
          .put("truth", c.truth())
          .put("predicted", c.predicted())
          .put("count", c.count());
    }
    ArrayNode changes = n.putArray("perturbations");
    for (Row row : rows) {
      Tally rt = row.tally();
      changes
          .addObject()
          .put("change", row.change())
          .put("images", rt.images())
          .put("exact_accuracy", Json.rounded(rt.exactAccuracy(), 6))
          .put("points_vs_clean", Json.rounded(100 * (rt.exactAccuracy() - t.exactAccuracy()), 2))
          .put("case_folded_accuracy", Json.rounded(rt.caseFoldedAccuracy(), 6))
          .put("merged_accuracy", Json.rounded(rt.mergedAccuracy(), 6))
          .put("char_accuracy", Json.rounded(rt.characterAccuracy(), 6));
    }
    return n;
  }
}
