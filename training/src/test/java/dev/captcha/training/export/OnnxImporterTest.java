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
import dev.captcha.training.eval.OnnxModel;
import dev.captcha.training.model.CaptchaResNet;
import dev.captcha.training.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Export, import into a fresh network, and the export's own parity check on the result. */
class OnnxImporterTest {

  private static float[] samples(CaptchaResNet.Spec spec, int n, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] x = new float[n * spec.channels() * spec.height() * spec.width()];
    for (int i = 0; i < x.length; i++) {
      x[i] = rnd.nextDouble() < 0.2 ? 1f : 0f;
    }
    return x;
  }

  /** A network of {@code spec} held by {@code model}, initialised with random weights. */
  private static CaptchaResNet initialised(Model model, CaptchaResNet.Spec spec) {
    CaptchaResNet net = CaptchaResNet.create(spec);
    model.setBlock(net.block());
    net.block().initialize(model.getNDManager(), DataType.FLOAT32, net.inputShape(1));
    return net;
  }

  /** Exports a network of {@code spec} with random weights and BatchNorm statistics to file. */
  private static void exportRandom(Model model, CaptchaResNet.Spec spec, long seed, Path file)
      throws Exception {
    CaptchaResNet original = initialised(model, spec);
    OnnxExporterTest.randomiseBatchNorms(original, new SplittableRandom(seed));
    OnnxExporter.export(original, ModelMetadata.required(spec, "t", "0.1"), file);
  }

  /** Checks that {@code net} computes what the file computes, on random inputs. */
  private static void assertComputesTheFile(CaptchaResNet net, Model model, Path file, long seed)
      throws Exception {
    try (OnnxModel onnx = OnnxModel.load(file, 1)) {
      ParityCheck.Outcome o = ParityCheck.compare(net, model.getNDManager(), onnx, 6, seed);
      assertTrue(o.maxAbsDifference() <= 1e-4, "max abs difference " + o.maxAbsDifference());
      assertEquals(0, o.argmaxDisagreements());
    }
  }

  @Test
  void importedNetworkComputesWhatTheFileComputes(@TempDir Path dir) throws Exception {
    Trainer.configureEngine(1);
    CaptchaResNet.Spec spec = new CaptchaResNet.Spec(1, 64, 128, 4, 62, new int[] {8, 16, 16, 32});
    try (Model source = Model.newInstance("source", Device.cpu(), "PyTorch");
        Model target = Model.newInstance("target", Device.cpu(), "PyTorch")) {
      Path file = dir.resolve("m.onnx");
      exportRandom(source, spec, 5, file);

      ModelProto proto = OnnxImporter.read(file);
      CaptchaResNet.Spec read = OnnxImporter.spec(proto);
      assertArrayEquals(spec.widths(), read.widths());
      assertEquals(spec.length(), read.length());
      assertEquals(spec.classes(), read.classes());

      CaptchaResNet imported = initialised(target, read);
      OnnxImporter.load(proto, imported, samples(spec, 64, 1), 64);

      assertComputesTheFile(imported, target, file, 9);

      // In training mode BatchNorm normalises with the batch's own statistics; on inputs like
      // the statistics' samples the imported network stays close to the file's function.
      float[] batch = samples(spec, 32, 2);
      float[] inference;
      float[] training;
      try (NDManager m = target.getNDManager().newSubManager()) {
        NDList x = new NDList(m.create(batch, imported.inputShape(32)));
        inference =
            imported
                .block()
                .forward(new ParameterStore(m, false), x, false)
                .singletonOrThrow()
                .toFloatArray();
        training =
            imported
                .block()
                .forward(new ParameterStore(m, false), x, true)
                .singletonOrThrow()
                .toFloatArray();
      }
      double scale = 0;
      double diff = 0;
      for (int i = 0; i < inference.length; i++) {
        scale += Math.abs(inference[i]);
        diff += Math.abs(inference[i] - training[i]);
      }
      assertTrue(
          diff / scale < 0.2, "training-mode output differs by " + diff / scale + " of its size");
    }
  }

  @Test
  void aWiderNetworkStartsFromTheFilesFunction(@TempDir Path dir) throws Exception {
    Trainer.configureEngine(1);
    CaptchaResNet.Spec narrow =
        new CaptchaResNet.Spec(1, 64, 128, 4, 62, new int[] {8, 16, 16, 32});
    CaptchaResNet.Spec wide = new CaptchaResNet.Spec(1, 64, 128, 4, 62, new int[] {8, 32, 32, 48});
    assertTrue(OnnxImporter.widens(narrow, wide));
    assertTrue(!OnnxImporter.widens(wide, narrow), "narrowing is not widening");
    assertTrue(!OnnxImporter.widens(narrow, narrow), "the same widths are not a widening");
    assertTrue(
        !OnnxImporter.widens(
            narrow, new CaptchaResNet.Spec(1, 64, 128, 4, 62, new int[] {8, 16, 32})),
        "another number of stages is not a widening");
    try (Model source = Model.newInstance("source", Device.cpu(), "PyTorch");
        Model target = Model.newInstance("target", Device.cpu(), "PyTorch");
        Model other = Model.newInstance("other", Device.cpu(), "PyTorch")) {
      Path file = dir.resolve("narrow.onnx");
      exportRandom(source, narrow, 7, file);
      ModelProto proto = OnnxImporter.read(file);

      CaptchaResNet widened = initialised(target, wide);
      OnnxImporter.load(proto, widened, samples(narrow, 64, 3), 64);
      assertComputesTheFile(widened, target, file, 11);
      // The new channels keep their random start (they are there to learn), while the weights
      // from them into the old channels are zero.
      float[] conv =
          widened
              .stages()
              .get(3)
              .second()
              .conv()
              .getParameters()
              .get("weight")
              .getArray()
              .toFloatArray();
      int in = 48;
      int kk = 9;
      double newRows = 0;
      double oldRowsNewInputs = 0;
      for (int o = 0; o < 48; o++) {
        for (int i = 0; i < in; i++) {
          for (int k = 0; k < kk; k++) {
            float w = conv[(o * in + i) * kk + k];
            if (o >= 32) {
              newRows += Math.abs(w);
            } else if (i >= 32) {
              oldRowsNewInputs += Math.abs(w);
            }
          }
        }
      }
      assertTrue(newRows > 0, "new channels start from random weights");
      assertEquals(0.0, oldRowsNewInputs, "new inputs do not reach the old channels");

      CaptchaResNet narrower =
          initialised(other, new CaptchaResNet.Spec(1, 64, 128, 4, 62, new int[] {8, 8, 16, 32}));
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> OnnxImporter.load(proto, narrower, samples(narrow, 8, 4), 8));
      assertTrue(e.getMessage().contains("stages no wider"), e.getMessage());
    }
  }

  @Test
  void aHeadOverEveryRowStartsFromTheMeanHeadsFunction(@TempDir Path dir) throws Exception {
    Trainer.configureEngine(1);
    CaptchaResNet.Spec mean = new CaptchaResNet.Spec(1, 64, 128, 4, 62, new int[] {8, 16, 16, 32});
    CaptchaResNet.Spec rows =
        new CaptchaResNet.Spec(1, 64, 128, 4, 62, new int[] {8, 16, 32, 48})
            .withHead(CaptchaResNet.Head.ROWS);
    assertEquals(32L * 8, mean.headFeatures());
    assertEquals(48L * 8 * 4, rows.headFeatures());
    assertTrue(OnnxImporter.canStartFrom(mean, rows), "mean to rows, widened");
    assertTrue(!OnnxImporter.canStartFrom(rows, rows.withHead(CaptchaResNet.Head.MEAN_HEIGHT)));
    try (Model source = Model.newInstance("source", Device.cpu(), "PyTorch");
        Model target = Model.newInstance("target", Device.cpu(), "PyTorch");
        Model again = Model.newInstance("again", Device.cpu(), "PyTorch");
        Model other = Model.newInstance("other", Device.cpu(), "PyTorch")) {
      Path meanFile = dir.resolve("mean.onnx");
      exportRandom(source, mean, 13, meanFile);

      // Widened and given the rows head at once, the network still computes the file.
      CaptchaResNet widened = initialised(target, rows);
      OnnxImporter.load(OnnxImporter.read(meanFile), widened, samples(mean, 64, 5), 64);
      assertComputesTheFile(widened, target, meanFile, 17);

      // Its own export reads back as a rows head (no ReduceMean in the graph) and imports alike.
      Path rowsFile = dir.resolve("rows.onnx");
      OnnxExporter.export(widened, ModelMetadata.required(rows, "t", "0.1"), rowsFile);
      ModelProto rowsProto = OnnxImporter.read(rowsFile);
      CaptchaResNet.Spec read = OnnxImporter.spec(rowsProto);
      assertEquals(CaptchaResNet.Head.ROWS, read.head());
      assertArrayEquals(rows.widths(), read.widths());
      assertTrue(
          rowsProto.getGraph().getNodeList().stream()
              .noneMatch(n -> n.getOpType().equals("ReduceMean")));
      CaptchaResNet reimported = initialised(again, read);
      OnnxImporter.load(rowsProto, reimported, samples(rows, 64, 6), 64);
      assertComputesTheFile(reimported, again, rowsFile, 19);

      // A rows head cannot go back to the mean: that would drop what the rows learnt.
      CaptchaResNet meanNet = initialised(other, rows.withHead(CaptchaResNet.Head.MEAN_HEIGHT));
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> OnnxImporter.load(rowsProto, meanNet, samples(rows, 8, 7), 8));
      assertTrue(e.getMessage().contains("head rows"), e.getMessage());
    }
  }

  @Test
  void refusesFilesThatAreNotAnExportedResNet(@TempDir Path dir) throws Exception {
    Path junk = dir.resolve("junk.onnx");
    Files.write(junk, new byte[] {1, 2, 3, 4, 5});
    assertThrows(IllegalArgumentException.class, () -> OnnxImporter.read(junk));
    assertThrows(
        IllegalArgumentException.class, () -> OnnxImporter.read(dir.resolve("missing.onnx")));
    assertThrows(
        IllegalArgumentException.class, () -> OnnxImporter.spec(ModelProto.getDefaultInstance()));
  }
}
