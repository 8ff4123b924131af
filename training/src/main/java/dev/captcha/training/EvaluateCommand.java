package dev.captcha.training;

import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.FontCatalog;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.captcha.model.Tally;
import dev.captcha.training.eval.Evaluator;
import dev.captcha.training.eval.OnnxModel;
import dev.captcha.training.eval.Samples;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code evaluate} command: accuracy of an ONNX model file, run by ONNX Runtime, on labelled captchas. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = "Runs an exported ONNX model (ONNX Runtime, preprocessing from its metadata) over a folder of"
        + " <index>_<text> images or freshly generated captchas and prints exact, case-folded and look-alike-merged"
        + " sequence accuracy, per-character accuracy, the commonest confusions and throughput.")
final class EvaluateCommand implements Callable<Integer> {

  @Option(names = {"-m", "--model"}, defaultValue = "models/captcha-resnet.onnx", description = "ONNX model file (default: ${DEFAULT-VALUE}).")
  Path model;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  static final class Source {
    @Option(names = "--dir", description = "Folder of images named <index>_<text>.png (or jpg, gif, bmp).")
    Path dir;

    @Option(names = "--generate", paramLabel = "N", description = "Evaluate on N captchas generated now.")
    Integer generate;
  }

  @Option(names = "--seed", defaultValue = "2027", description = "Seed of generated captchas; keep it apart from the training (1) and validation (20261128) seeds (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--fonts", split = ",", description = "Font families or files for generated captchas (default: the training families).")
  List<String> fonts = FontCatalog.TRAINING_FAMILIES;

  @Option(names = "--held-out-fonts", description = "Generate with the font families kept out of training (Open Sans, Comic Neue).")
  boolean heldOut;

  @Option(names = "--batch-size", defaultValue = "256", description = "Images per inference batch (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--threads", defaultValue = "2", description = "ONNX Runtime intra-op threads (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--confusions", defaultValue = "15", description = "How many of the commonest confusions to print (default: ${DEFAULT-VALUE}).")
  int confusions;

  @Option(names = "--json", description = "Also write the results to this JSON file.")
  Path json;

  @Override
  public Integer call() throws Exception {
    if (confusions < 0) {
      throw new IllegalArgumentException("--confusions must be >= 0");
    }
    String what;
    Samples samples;
    if (source.dir != null) {
      samples = Samples.folder(source.dir);
      what = source.dir.toString();
    } else {
      List<String> families = heldOut ? FontCatalog.HELD_OUT_FAMILIES : fonts;
      CaptchaGenerator generator = CaptchaGenerator.builder().fonts(FontCatalog.scanDefault().resolve(families)).build();
      samples = Samples.generated(generator, seed, source.generate);
      what = String.format(Locale.ROOT, "%d generated captchas (seed %d, fonts %s)", source.generate, seed,
          String.join(", ", families));
    }
    try (OnnxModel onnx = OnnxModel.load(model, threads)) {
      int total = samples.size();
      Evaluator.Result r = new Evaluator(onnx, batchSize).evaluate(samples,
          done -> System.err.printf(Locale.ROOT, "\revaluated %d/%d", done, total));
      System.err.println();
      Tally t = r.tally();
      List<Tally.Confusion> top = t.topConfusions(confusions);
      System.out.printf(Locale.ROOT, "model       %s %s (%s)%n", onnx.info().name(), onnx.info().version(), model);
      System.out.printf(Locale.ROOT, "data        %s%n", what);
      System.out.printf(Locale.ROOT, "images      %d%n", t.images());
      System.out.printf(Locale.ROOT, "exact       %.4f%n", t.exactAccuracy());
      System.out.printf(Locale.ROOT, "case-folded %.4f%n", t.caseFoldedAccuracy());
      System.out.printf(Locale.ROOT, "merged      %.4f   (case-folded, {0,O,o} and {1,l,I} merged)%n", t.mergedAccuracy());
      System.out.printf(Locale.ROOT, "per char    %.5f%n", t.characterAccuracy());
      System.out.printf(Locale.ROOT, "throughput  %.0f images/s overall, %.0f images/s inference (batch %d, %d threads)%n",
          r.imagesPerSecond(), r.inferenceImagesPerSecond(), batchSize, threads);
      System.out.printf(Locale.ROOT, "confusions  %s%n",
          top.isEmpty() ? "none" : top.stream().map(Tally.Confusion::toString).collect(Collectors.joining(", ")));
      if (json != null) {
        Json.write(json, toJson(model, what, r, top));
      }
    }
    return 0;
  }

  private ObjectNode toJson(Path modelFile, String data, Evaluator.Result r, List<Tally.Confusion> top) {
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
      confusions.addObject().put("truth", c.truth()).put("predicted", c.predicted()).put("count", c.count());
    }
    return n;
  }
}
