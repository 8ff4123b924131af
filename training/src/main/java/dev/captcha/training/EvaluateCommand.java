package dev.captcha.training;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.FontCatalog;
import dev.captcha.model.ColorMode;
import dev.captcha.model.ConfidenceTally;
import dev.captcha.model.ResizeRule;
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
      names = "--site-fonts",
      paramLabel = "K",
      defaultValue = "0",
      description =
          "Generate each captcha as a site that loads 1 to K font files, its characters sharing those faces; 0 (the"
              + " default): every character picks its face from all the fonts, as the library does with all of them loaded.")
  int siteFonts;

  @Option(
      names = "--small-digits",
      paramLabel = "RATE",
      defaultValue = "0",
      description =
          "Share of generated captchas whose digits are drawn small or as old-style figures, as `train --small-digits`"
              + " draws them (0..1; default: ${DEFAULT-VALUE}: as the fonts draw them).")
  double smallDigits;

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

  @Option(
      names = "--resize",
      paramLabel = "RULE",
      description =
          "Bring images of another size to the input size with this rule instead of the model's own"
              + " (bilinear-stretch or area-stretch), to compare rules on the same images.")
  String resize;

  @Option(
      names = "--input-color",
      paramLabel = "MODE",
      description =
          "Turn pixels into the model's input with this colour transform instead of the model's own"
              + " (one with as many channels: min-rgb, gray or text-alpha for a 1-channel model), to compare"
              + " transforms on the same images.")
  String inputColor;

  @Option(
      names = "--per-family",
      description =
          "With --generate: N captchas for each font family on its own (every glyph in that family),"
              + " and a table of exact accuracy per family with the mean and the worst; the totals are over"
              + " all of them.")
  boolean perFamily;

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
    ResizeRule resizeRule = resize == null ? null : InputOptions.resize(resize);
    ColorMode colorMode = inputColor == null ? null : InputOptions.color(inputColor);
    if (perFamily && source.dir != null) {
      throw new IllegalArgumentException("--per-family needs --generate, not --dir");
    }
    if (smallDigits != 0 && source.dir != null) {
      throw new IllegalArgumentException("--small-digits applies to --generate, not to --dir");
    }
    if (siteFonts != 0 && (source.dir != null || perFamily)) {
      throw new IllegalArgumentException(
          "--site-fonts applies to --generate over several fonts, not to --dir or --per-family");
    }
    String what;
    Samples samples;
    List<String> families = heldOut ? FontCatalog.HELD_OUT_FAMILIES : fonts;
    if (perFamily) {
      FontCatalog catalog = FontCatalog.scanDefault();
      List<Samples> parts = new ArrayList<>();
      for (String family : families) {
        CaptchaGenerator generator =
            CaptchaGenerator.builder()
                .weightedFonts(catalog.weighted(List.of(family)))
                .smallDigits(smallDigits)
                .build();
        parts.add(Samples.generated(generator, seed, source.generate));
      }
      samples = concatenated(parts);
      what =
          String.format(
              Locale.ROOT,
              "%d generated captchas for each of %d font families (seed %d)",
              source.generate,
              families.size(),
              seed);
    } else if (source.dir != null) {
      samples = Samples.folder(source.dir);
      what = source.dir.toString();
    } else {
      FontCatalog catalog = FontCatalog.scanDefault();
      CaptchaGenerator generator =
          CaptchaGenerator.builder()
              .weightedFonts(catalog.weighted(families))
              .siteFonts(siteFonts)
              .smallDigits(smallDigits)
              .build();
      samples = Samples.generated(generator, seed, source.generate);
      what =
          String.format(
              Locale.ROOT,
              "%d generated captchas (seed %d, fonts %s%s%s)",
              source.generate,
              seed,
              String.join(", ", families),
              siteFonts == 0 ? "" : "; each captcha 1 to " + siteFonts + " of them",
              smallDigits == 0
                  ? ""
                  : String.format(Locale.ROOT, "; small digits in %.0f%%", 100 * smallDigits));
    }
    try (OnnxModel onnx = OnnxModel.load(model, threads)) {
      int total = samples.size();
      EvaluationReport page = report == null ? null : new EvaluationReport();
      Tally[] perFamilyTallies = new Tally[perFamily ? families.size() : 0];
      for (int i = 0; i < perFamilyTallies.length; i++) {
        perFamilyTallies[i] = new Tally();
      }
      int[] seen = {0};
      Evaluator.Listener listener =
          page == null && !perFamily
              ? null
              : (sample, answer) -> {
                if (perFamily) {
                  perFamilyTallies[seen[0]++ / source.generate].add(sample.text(), answer.text());
                }
                if (page != null) {
                  page.add(sample.name(), sample.text(), answer, sample.fonts(), () -> png(sample));
                }
              };
      Evaluator.Result r;
      try (Progress bar =
          Progress.of("evaluated", "images", total, Progress.Mode.detect(quiet), System.err)) {
        r =
            new Evaluator(onnx, batchSize, resizeRule, colorMode)
                .evaluate(samples, bar::update, listener);
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
      if (colorMode != null || resizeRule != null) {
        System.out.printf(
            Locale.ROOT,
            "input       %s, %s (the model's own: %s, %s)%n",
            (colorMode != null ? colorMode : onnx.info().input().color()).label(),
            (resizeRule != null ? resizeRule : onnx.info().input().resize()).label(),
            onnx.info().input().color().label(),
            onnx.info().input().resize().label());
      }
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
      System.out.printf(
          Locale.ROOT,
          "confidence  exact accuracy of the captchas at or above each confidence (T = %s)%n",
          temperature(onnx.info().confidenceTemperature()));
      System.out.print(r.confidence().format("  "));
      List<Row> familyRows = new ArrayList<>();
      if (perFamily) {
        for (int i = 0; i < families.size(); i++) {
          familyRows.add(new Row(families.get(i), perFamilyTallies[i]));
        }
        printFamilies(familyRows);
      }
      List<Row> rows = new ArrayList<>();
      if (!changes.isEmpty()) {
        for (Degradation d : changes) {
          Tally changed = t;
          if (!(d instanceof Degradation.None)) {
            try (Progress bar =
                Progress.of(
                    d.name() + ": evaluated",
                    "images",
                    total,
                    Progress.Mode.detect(quiet),
                    System.err)) {
              changed =
                  new Evaluator(onnx, batchSize, resizeRule, colorMode)
                      .evaluate(samples.mapImages((i, image) -> d.apply(image)), bar::update)
                      .tally();
            }
          }
          rows.add(new Row(d.name(), changed));
        }
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
        ObjectNode out = toJson(model, what, r, top, rows, familyRows);
        out.set("confidence", confidenceJson(r.confidence(), onnx.info().confidenceTemperature()));
        Json.write(json, out);
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

  /** A temperature as written in a model file, without a trailing ".0". */
  static String temperature(double t) {
    return t == Math.rint(t) ? Long.toString((long) t) : Double.toString(t);
  }

  /** The thresholds table, mean confidence and calibration error as JSON. */
  static ObjectNode confidenceJson(ConfidenceTally c, double temperature) {
    ObjectNode n = Json.object();
    n.put("temperature", temperature);
    n.put("mean_confidence", Json.rounded(c.meanConfidence(), 6));
    n.put("expected_calibration_error", Json.rounded(c.expectedCalibrationError(), 6));
    n.put("ece_bins", ConfidenceTally.ECE_BINS);
    ArrayNode rows = n.putArray("thresholds");
    for (ConfidenceTally.Row row : c.rows()) {
      rows.addObject()
          .put("threshold", row.threshold())
          .put("images", row.accepted())
          .put("share", Json.rounded(row.share(), 6))
          .put("exact_accuracy", Json.rounded(row.accuracy(), 6))
          .put("rest_images", row.rest())
          .put("rest_exact_accuracy", Json.rounded(row.restAccuracy(), 6));
    }
    return n;
  }

  /** Accuracy of the images after one change, or of one font family's images. */
  private record Row(String change, Tally tally) {}

  private static void printFamilies(List<Row> rows) {
    System.out.printf(Locale.ROOT, "families    exact accuracy per font family%n");
    System.out.printf(Locale.ROOT, "  %-28s %7s %7s %7s%n", "family", "images", "exact", "merged");
    for (Row row : rows) {
      System.out.printf(
          Locale.ROOT,
          "  %-28s %7d %7.4f %7.4f%n",
          row.change(),
          row.tally().images(),
          row.tally().exactAccuracy(),
          row.tally().mergedAccuracy());
    }
    System.out.printf(
        Locale.ROOT,
        "  %-28s %7s %7.4f%n  %-28s %7s %7.4f%n",
        "mean",
        "",
        meanExact(rows),
        "worst",
        "",
        worstExact(rows));
  }

  private static double meanExact(List<Row> rows) {
    return rows.stream().mapToDouble(r -> r.tally().exactAccuracy()).average().orElse(Double.NaN);
  }

  private static double worstExact(List<Row> rows) {
    return rows.stream().mapToDouble(r -> r.tally().exactAccuracy()).min().orElse(Double.NaN);
  }

  /** The parts one after another. */
  private static Samples concatenated(List<Samples> parts) {
    int[] starts = new int[parts.size() + 1];
    for (int i = 0; i < parts.size(); i++) {
      starts[i + 1] = starts[i] + parts.get(i).size();
    }
    return new Samples() {
      @Override
      public int size() {
        return starts[parts.size()];
      }

      @Override
      public Sample get(int index) throws IOException {
        int part = 0;
        while (index >= starts[part + 1]) {
          part++;
        }
        return parts.get(part).get(index - starts[part]);
      }
    };
  }

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

  private static EvaluationReport.Picture png(Samples.Sample sample) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ImageIO.write(sample.image(), "png", bytes);
    return new EvaluationReport.Picture(bytes.toByteArray(), "png");
  }

  private ObjectNode toJson(
      Path modelFile,
      String data,
      Evaluator.Result r,
      List<Tally.Confusion> top,
      List<Row> rows,
      List<Row> familyRows) {
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
    if (!familyRows.isEmpty()) {
      ArrayNode families = n.putArray("families");
      for (Row row : familyRows) {
        families
            .addObject()
            .put("family", row.change())
            .put("images", row.tally().images())
            .put("exact_accuracy", Json.rounded(row.tally().exactAccuracy(), 6))
            .put("merged_accuracy", Json.rounded(row.tally().mergedAccuracy(), 6));
      }
      n.put("family_mean_exact_accuracy", Json.rounded(meanExact(familyRows), 6));
      n.put("family_worst_exact_accuracy", Json.rounded(worstExact(familyRows), 6));
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
