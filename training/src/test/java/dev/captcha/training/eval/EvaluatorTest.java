package dev.captcha.training.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import dev.captcha.generator.Captcha;
import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.FontCatalog;
import dev.captcha.training.export.ModelMetadata;
import dev.captcha.training.export.OnnxExporter;
import dev.captcha.training.model.CaptchaResNet;
import dev.captcha.training.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluation pipeline on an untrained exported network: folder and generated inputs agree. */
class EvaluatorTest {

  @TempDir static Path models;
  private static Path file;
  private static CaptchaGenerator generator;

  @BeforeAll
  static void exportUntrainedNetwork() throws Exception {
    Trainer.configureEngine(1);
    CaptchaResNet net = CaptchaResNet.create(CaptchaResNet.Spec.standard(4, 62));
    try (Model m = Model.newInstance("eval", Device.cpu(), "PyTorch")) {
      m.setBlock(net.block());
      net.block().initialize(m.getNDManager(), DataType.FLOAT32, net.inputShape(1));
      file = models.resolve("untrained.onnx");
      OnnxExporter.export(net, ModelMetadata.required(net.spec(), "untrained", "0"), file);
    }
    generator =
        CaptchaGenerator.builder()
            .fonts(FontCatalog.scanDefault().resolve(List.of("DejaVu Sans")))
            .build();
  }

  @Test
  void folderOfPngsGivesTheSamePredictionsAsTheGeneratedImages(@TempDir Path dir) throws Exception {
    int n = 10;
    for (int i = 0; i < n; i++) {
      Captcha c = generator.generate(9, i);
      Files.write(dir.resolve(i + "_" + c.text() + ".png"), c.png());
    }
    Files.writeString(dir.resolve("notes.txt"), "not an image");
    try (OnnxModel model = OnnxModel.load(file, 1)) {
      List<Integer> progress = new ArrayList<>();
      Evaluator.Result generated =
          new Evaluator(model, 4).evaluate(Samples.generated(generator, 9, n), progress::add);
      Evaluator.Result folder = new Evaluator(model, 3).evaluate(Samples.folder(dir), d -> {});
      assertEquals(List.of(4, 8, 10), progress);
      assertEquals(n, generated.tally().images());
      assertEquals(n, folder.tally().images());
      assertEquals(generated.tally().characterAccuracy(), folder.tally().characterAccuracy());
      assertEquals(generated.tally().topConfusions(100), folder.tally().topConfusions(100));
      assertTrue(generated.imagesPerSecond() > 0);
    }
  }

  @Test
  void folderSamplesAreOrderedByIndexAndCarryTheirText(@TempDir Path dir) throws Exception {
    Captcha c = generator.generate(3, 0);
    Files.write(dir.resolve("10_Ab_c.png"), c.png());
    Files.write(dir.resolve("2_xY9z.png"), c.png());
    Samples s = Samples.folder(dir);
    assertEquals(2, s.size());
    assertEquals("xY9z", s.get(0).text());
    assertEquals("Ab_c", s.get(1).text());
    assertEquals(128, s.get(1).image().getWidth());
  }

  @Test
  void badFoldersGetClearErrors(@TempDir Path dir) throws Exception {
    assertThrows(IllegalArgumentException.class, () -> Samples.folder(dir.resolve("missing")));
    IllegalArgumentException empty =
        assertThrows(IllegalArgumentException.class, () -> Samples.folder(dir));
    assertTrue(empty.getMessage().contains("no <index>_<text> images"), empty.getMessage());
    Files.write(dir.resolve("captcha.png"), generator.generate(1, 0).png());
    IllegalArgumentException unnamed =
        assertThrows(IllegalArgumentException.class, () -> Samples.folder(dir));
    assertTrue(unnamed.getMessage().contains("captcha.png"), unnamed.getMessage());
    Files.delete(dir.resolve("captcha.png"));
    Files.writeString(dir.resolve("1_abcd.png"), "not a png");
    Samples broken = Samples.folder(dir);
    java.io.IOException e = assertThrows(java.io.IOException.class, () -> broken.get(0));
    assertTrue(e.getMessage().contains("1_abcd.png"), e.getMessage());
  }

  @Test
  void modelFilesWithoutMetadataAreRefusedNamingTheKey(@TempDir Path dir) throws Exception {
    CaptchaResNet net = CaptchaResNet.create(CaptchaResNet.Spec.standard(4, 62));
    try (Model m = Model.newInstance("bare", Device.cpu(), "PyTorch")) {
      m.setBlock(net.block());
      net.block().initialize(m.getNDManager(), DataType.FLOAT32, net.inputShape(1));
      Path bare = dir.resolve("bare.onnx");
      var meta = new java.util.HashMap<>(ModelMetadata.required(net.spec(), "bare", "0"));
      meta.remove("captcha.charset");
      OnnxExporter.export(net, meta, bare);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> OnnxModel.load(bare, 1));
      assertTrue(e.getMessage().contains("captcha.charset"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> OnnxModel.load(dir.resolve("none.onnx"), 1));
  }

  @Test
  void latencyBenchReportsEachBatchSize() throws Exception {
    try (OnnxModel model = OnnxModel.load(file, 1)) {
      List<LatencyBench.Row> rows = LatencyBench.run(model, new int[] {1, 2}, 1, 3, 1);
      assertEquals(List.of(1, 2), rows.stream().map(LatencyBench.Row::batchSize).toList());
      for (LatencyBench.Row r : rows) {
        assertTrue(
            r.minMs() > 0 && r.minMs() <= r.medianMs() && r.medianMs() <= r.p90Ms(), r.toString());
      }
    }
  }
}
