package dev.captcha.training.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.FontCatalog;
import dev.captcha.training.data.BatchSource;
import dev.captcha.training.eval.OnnxModel;
import dev.captcha.training.model.CaptchaResNet;
import dev.captcha.training.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An exported model read back into DJL computes what ONNX Runtime computes from the file. */
class OnnxImporterTest {
  private static final int PIXELS = 64 * 128;

  @BeforeAll
  static void engine() {
    Trainer.configureEngine(1);
  }

  private static float[] captchas(int n, long seed) {
    CaptchaGenerator generator = CaptchaGenerator.builder()
        .fonts(FontCatalog.scanDefault().resolve(List.of("DejaVu Sans"))).build();
    return BatchSource.make(generator, n, PIXELS, seed, 0).inputs();
  }

  private static float[] forward(CaptchaResNet net, NDManager m, float[] x, int n, boolean training) {
    return net.block().forward(new ParameterStore(m, false), new NDList(m.create(x, net.inputShape(n))), training)
        .singletonOrThrow().toFloatArray();
  }

  @Test
  void importedNetworkMatchesOnnxRuntimeInInferenceAndTraining(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("m.onnx");
    CaptchaResNet original = CaptchaResNet.create(CaptchaResNet.Spec.standard(4, 62));
    try (Model model = Model.newInstance("original", Device.cpu(), "PyTorch")) {
      model.setBlock(original.block());
      original.block().initialize(model.getNDManager(), DataType.FLOAT32, original.inputShape(1));
      OnnxExporterTest.randomiseBatchNorms(original, new SplittableRandom(5));
      OnnxExporter.export(original, ModelMetadata.required(original.spec(), "m", "1"), file);
    }

    try (Model model = Model.newInstance("imported", Device.cpu(), "PyTorch");
        OnnxModel onnx = OnnxModel.load(file, 1)) {
      OnnxImporter.Imported imported = OnnxImporter.read(file, model.getNDManager(), captchas(32, 1), 32);
      CaptchaResNet net = imported.net();
      model.setBlock(net.block());
      assertEquals("m", imported.info().name());
      assertArrayEquals(new int[] {32, 64, 128, 256}, net.spec().widths());

      ParityCheck.Outcome parity = ParityCheck.compare(net, model.getNDManager(), onnx, 16, 7);
      assertTrue(parity.maxAbsDifference() <= RunExporter.TOLERANCE, "max abs difference " + parity.maxAbsDifference());
      assertEquals(0, parity.argmaxDisagreements());

      // in training mode (batch statistics) on other captchas, close to the same function
      int n = 32;
      float[] x = captchas(n, 2);
      float[] expected = onnx.run(x, n);
      float[] trainMode;
      try (NDManager m = model.getNDManager().newSubManager()) {
        assertArrayEquals(expected, forward(net, m, x, n, false), (float) RunExporter.TOLERANCE);
        trainMode = forward(net, m, x, n, true);
      }
      double diff = 0;
      double scale = 0;
      int agree = 0;
      for (int base = 0; base < expected.length; base += 62) {
        int a = 0;
        int b = 0;
        for (int c = 0; c < 62; c++) {
          diff += Math.abs(expected[base + c] - trainMode[base + c]);
          scale += Math.abs(expected[base + c]);
          a = expected[base + c] > expected[base + a] ? c : a;
          b = trainMode[base + c] > trainMode[base + b] ? c : b;
        }
        agree += a == b ? 1 : 0;
      }
      assertTrue(diff / scale < 0.1, "training-mode logits differ by " + diff / scale + " of their size");
      assertTrue(agree >= 0.85 * n * 4, "training-mode argmax agrees at " + agree + " of " + n * 4 + " positions");
    }
  }

  @Test
  void refusesAFileWithoutMetadataOrWithAnotherGraph(@TempDir Path dir) throws Exception {
    Path bare = dir.resolve("bare.onnx");
    Files.write(bare, ModelProto.newBuilder().setIrVersion(8).build().toByteArray());
    ModelProto.Builder other = ModelProto.newBuilder().setIrVersion(8);
    ModelMetadata.required(CaptchaResNet.Spec.standard(4, 62), "m", "1").forEach((k, v) ->
        other.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
    Path foreign = dir.resolve("foreign.onnx");
    Files.write(foreign, other.build().toByteArray());
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> OnnxImporter.read(bare, m, new float[PIXELS], 1));
      assertTrue(e.getMessage().contains("captcha."), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> OnnxImporter.read(foreign, m, new float[PIXELS], 1));
      assertTrue(e.getMessage().contains("not a captcha ResNet"), e.getMessage());
    }
  }
}
