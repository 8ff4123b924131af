package dev.captcha.training.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.FontCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The model shipped under models/ reads freshly generated captchas (skipped until one is bundled).
 */
class BundledModelTest {

  /** Resolved from the training module's folder, where the build runs its tests. */
  static final Path BUNDLED = Path.of("..", "models", "captcha-resnet.onnx");

  /** A stream seed used by neither training (1) nor validation (20261128). */
  static final long SEED = 777_001;

  @Test
  void bundledModelReadsFreshCaptchas() throws Exception {
    assumeTrue(
        Files.isRegularFile(BUNDLED),
        "no bundled model at " + BUNDLED.toAbsolutePath().normalize());
    CaptchaGenerator generator =
        CaptchaGenerator.builder()
            .fonts(FontCatalog.scanDefault().resolve(FontCatalog.BUNDLED_MODEL_FAMILIES))
            .build();
    try (OnnxModel model = OnnxModel.load(BUNDLED, 2)) {
      Evaluator.Result r =
          new Evaluator(model, 100).evaluate(Samples.generated(generator, SEED, 200), d -> {});
      System.out.printf(
          "bundled model on 200 fresh captchas: exact %.3f, merged %.3f, char %.4f%n",
          r.tally().exactAccuracy(), r.tally().mergedAccuracy(), r.tally().characterAccuracy());
      assertEquals(200, r.tally().images());
      // afocus-resnet 2.0.0-rc13 reads 0.950 of these exactly and 0.985 with look-alikes merged;
      // the bounds leave room for another JVM's rasterizer.
      assertTrue(r.tally().exactAccuracy() >= 0.9, "exact accuracy " + r.tally().exactAccuracy());
      assertTrue(
          r.tally().mergedAccuracy() >= 0.97, "merged accuracy " + r.tally().mergedAccuracy());
    }
  }

  /** The families the checks of the bundled model draw in are those its training run recorded. */
  @Test
  void bundledModelFamiliesAreTheOnesItWasTrainedOn() {
    assumeTrue(
        Files.isRegularFile(BUNDLED),
        "no bundled model at " + BUNDLED.toAbsolutePath().normalize());
    try (OnnxModel model = OnnxModel.load(BUNDLED, 1)) {
      String recorded = model.info().all().get("captcha.training.fonts");
      assumeTrue(recorded != null, "the bundled model does not record its training fonts");
      assertEquals(
          Set.copyOf(List.of(recorded.split(","))), Set.copyOf(FontCatalog.BUNDLED_MODEL_FAMILIES));
    }
  }
}
