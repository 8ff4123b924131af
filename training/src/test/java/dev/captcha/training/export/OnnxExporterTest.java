package dev.captcha.training.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.norm.BatchNorm;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import dev.captcha.training.eval.OnnxModel;
import dev.captcha.training.model.CaptchaResNet;
import dev.captcha.training.train.Trainer;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxExporterTest {

  private static Model model;
  private static CaptchaResNet net;

  @BeforeAll
  static void buildNetwork() {
    Trainer.configureEngine(1);
    net = CaptchaResNet.create(CaptchaResNet.Spec.standard(4, 62));
    model = Model.newInstance("parity", Device.cpu(), "PyTorch");
    model.setBlock(net.block());
    net.block().initialize(model.getNDManager(), DataType.FLOAT32, net.inputShape(1));
    randomiseBatchNorms(net, new SplittableRandom(11));
  }

  @AfterAll
  static void close() {
    model.close();
  }

  /** Gives every BatchNorm non-trivial statistics and affine parameters, as training would. */
  static void randomiseBatchNorms(CaptchaResNet n, SplittableRandom rnd) {
    List<CaptchaResNet.ConvBn> units = new ArrayList<>();
    units.add(n.stem());
    for (CaptchaResNet.Residual r : n.stages()) {
      units.add(r.first());
      units.add(r.second());
      if (r.shortcut() != null) {
        units.add(r.shortcut());
      }
    }
    for (CaptchaResNet.ConvBn u : units) {
      BatchNorm bn = u.bn();
      fill(bn, "gamma", rnd, 0.5, 1.5);
      fill(bn, "beta", rnd, -0.5, 0.5);
      fill(bn, "runningMean", rnd, -0.3, 0.3);
      fill(bn, "runningVar", rnd, 0.2, 2.0);
    }
  }

  private static void fill(BatchNorm bn, String name, SplittableRandom rnd, double lo, double hi) {
    NDArray a = bn.getParameters().get(name).getArray();
    float[] v = new float[(int) a.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
    }
    a.set(v);
  }

  private static Map<String, String> metadata() {
    return ModelMetadata.required(net.spec(), "test-resnet", "0.0.1");
  }

  @Test
  void onnxRuntimeMatchesDjlWithinTolerance(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("m.onnx");
    OnnxExporter.export(net, metadata(), file);
    try (OnnxModel onnx = OnnxModel.load(file, 1)) {
      ParityCheck.Outcome o = ParityCheck.compare(net, model.getNDManager(), onnx, 6, 3);
      System.out.printf(
          "parity: max abs difference %.3g over %d images%n", o.maxAbsDifference(), o.images());
      assertTrue(o.maxAbsDifference() <= 1e-4, "max abs difference " + o.maxAbsDifference());
      assertEquals(0, o.argmaxDisagreements());
      // the batch dimension is dynamic
      ParityCheck.Outcome single = ParityCheck.compare(net, model.getNDManager(), onnx, 1, 4);
      assertTrue(single.maxAbsDifference() <= 1e-4, "batch 1: " + single.maxAbsDifference());
    }
  }

  @Test
  void theRandomisedStatisticsMatterSoTheCheckCanFail(@TempDir Path dir) throws Exception {
    // Exporting with unit statistics must give different logits: the parity test is not vacuous.
    CaptchaResNet other = CaptchaResNet.create(net.spec());
    try (Model m = Model.newInstance("other", Device.cpu(), "PyTorch")) {
      m.setBlock(other.block());
      other.block().initialize(m.getNDManager(), DataType.FLOAT32, other.inputShape(1));
      copyConvAndHead(net, other);
      Path file = dir.resolve("other.onnx");
      OnnxExporter.export(other, metadata(), file);
      try (OnnxModel onnx = OnnxModel.load(file, 1)) {
        assertTrue(
            ParityCheck.compare(net, model.getNDManager(), onnx, 2, 3).maxAbsDifference() > 1e-2);
      }
    }
  }

  private static void copyConvAndHead(CaptchaResNet from, CaptchaResNet to) {
    to.stem()
        .conv()
        .getParameters()
        .get("weight")
        .getArray()
        .set(from.stem().conv().getParameters().get("weight").getArray().toFloatArray());
    for (int i = 0; i < from.stages().size(); i++) {
      CaptchaResNet.Residual a = from.stages().get(i);
      CaptchaResNet.Residual b = to.stages().get(i);
      b.first()
          .conv()
          .getParameters()
          .get("weight")
          .getArray()
          .set(a.first().conv().getParameters().get("weight").getArray().toFloatArray());
      b.second()
          .conv()
          .getParameters()
          .get("weight")
          .getArray()
          .set(a.second().conv().getParameters().get("weight").getArray().toFloatArray());
      if (a.shortcut() != null) {
        b.shortcut()
            .conv()
            .getParameters()
            .get("weight")
            .getArray()
            .set(a.shortcut().conv().getParameters().get("weight").getArray().toFloatArray());
      }
    }
    to.head()
        .getParameters()
        .get("weight")
        .getArray()
        .set(from.head().getParameters().get("weight").getArray().toFloatArray());
    to.head()
        .getParameters()
        .get("bias")
        .getArray()
        .set(from.head().getParameters().get("bias").getArray().toFloatArray());
  }

  @Test
  void graphFollowsTheModelFormat(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("m.onnx");
    OnnxExporter.export(net, metadata(), file);
    if (java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      // a server running as another user must be able to read the model
      assertTrue(
          java.nio.file.Files.getPosixFilePermissions(file)
              .contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ),
          java.nio.file.Files.getPosixFilePermissions(file).toString());
    }
    ModelProto m;
    try (InputStream in = Files.newInputStream(file)) {
      m = ModelProto.parseFrom(in);
    }
    assertEquals(8, m.getIrVersion());
    assertEquals(1, m.getOpsetImportCount());
    assertEquals("", m.getOpsetImport(0).getDomain());
    assertEquals(17, m.getOpsetImport(0).getVersion());
    Set<String> ops =
        m.getGraph().getNodeList().stream().map(NodeProto::getOpType).collect(Collectors.toSet());
    assertEquals(Set.of("Conv", "Relu", "Add", "ReduceMean", "Flatten", "Gemm", "Reshape"), ops);
    assertEquals(1, m.getGraph().getInputCount());
    assertEquals("image", m.getGraph().getInput(0).getName());
    List<TensorShapeProto.Dimension> in =
        m.getGraph().getInput(0).getType().getTensorType().getShape().getDimList();
    assertEquals("N", in.get(0).getDimParam());
    assertEquals(
        List.of(1L, 64L, 128L),
        in.subList(1, 4).stream().map(TensorShapeProto.Dimension::getDimValue).toList());
    assertEquals("logits", m.getGraph().getOutput(0).getName());
    List<TensorShapeProto.Dimension> out =
        m.getGraph().getOutput(0).getType().getTensorType().getShape().getDimList();
    assertEquals("N", out.get(0).getDimParam());
    assertEquals(
        List.of(4L, 62L),
        out.subList(1, 3).stream().map(TensorShapeProto.Dimension::getDimValue).toList());
    // 1 stem + 4 stages x 2 + 3 shortcuts (stage 0 keeps 32 channels at stride 1)
    assertEquals(
        12, m.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Conv")).count());
    assertFalse(file.resolveSibling("m.onnx.tmp").toFile().exists());
  }

  @Test
  void metadataCarriesEveryRequiredAndProvenanceKey(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("training.properties"),
        String.join(
            "\n",
            "steps=1200",
            "images=76800",
            "wall_seconds=3600.5",
            "seed=1",
            "batch_size=64",
            "fonts=DejaVu Sans;Roboto",
            "command=java -jar training/target/captcha-training.jar train --steps 1200",
            "validation_seed=20261128",
            "validation_size=2000",
            "validation_exact_accuracy=0.99100",
            "validation_char_accuracy=0.99770",
            ""));
    Map<String, String> meta =
        ModelMetadata.forRun(
            net.spec(), "afocus-resnet", "1.0.0", dir, Instant.parse("2026-11-28T07:00:00.123Z"));
    Path file = dir.resolve("m.onnx");
    OnnxExporter.export(net, meta, file);
    Map<String, String> read;
    try (OnnxModel onnx = OnnxModel.load(file, 1)) {
      read = onnx.info().all();
      assertEquals(
          "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", onnx.info().charset());
      assertEquals(4, onnx.info().length());
      assertEquals("min-rgb", onnx.info().input().color().label());
      assertEquals(1f / 255, onnx.info().input().scale(), 1e-9);
    }
    for (String key : ModelMetadata.REQUIRED_KEYS) {
      assertTrue(read.containsKey(key) && !read.get(key).isBlank(), "missing " + key);
    }
    for (String key : ModelMetadata.PROVENANCE_KEYS) {
      assertTrue(read.containsKey(key) && !read.get(key).isBlank(), "missing " + key);
    }
    assertEquals("1", read.get("captcha.format"));
    assertEquals("heads", read.get("captcha.decoder"));
    assertEquals("64", read.get("captcha.input.height"));
    assertEquals("128", read.get("captcha.input.width"));
    assertEquals("bilinear-stretch", read.get("captcha.input.resize"));
    assertEquals("1200", read.get("captcha.training.steps"));
    assertEquals("76800", read.get("captcha.training.images"));
    assertEquals("DejaVu Sans,Roboto", read.get("captcha.training.fonts"));
    assertEquals("0.99100", read.get("captcha.validation.exact_accuracy"));
    assertEquals("2000", read.get("captcha.validation.size"));
    assertEquals("2026-11-28T07:00:00Z", read.get("captcha.created"));
    assertEquals(
        "java -jar training/target/captcha-training.jar train --steps 1200",
        read.get("captcha.training.command"));
    // written sorted by key, so the file is reproducible
    List<String> keys =
        ModelProto.parseFrom(Files.readAllBytes(file)).getMetadataPropsList().stream()
            .map(StringStringEntryProto::getKey)
            .toList();
    assertEquals(keys.stream().sorted().toList(), keys);
  }

  @Test
  void provenanceNeedsARunFolder(@TempDir Path dir) throws Exception {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ModelMetadata.forRun(net.spec(), "n", "1", dir, Instant.now()));
    assertTrue(e.getMessage().contains("training.properties"), e.getMessage());
    Files.writeString(dir.resolve("training.properties"), "steps=3\n");
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ModelMetadata.forRun(net.spec(), "n", "1", dir, Instant.now()));
    assertTrue(e.getMessage().contains("lacks"), e.getMessage());
  }

  @Test
  void refusesANetworkWithoutParameters() {
    CaptchaResNet fresh = CaptchaResNet.create(CaptchaResNet.Spec.standard(4, 62));
    assertThrows(IllegalStateException.class, () -> OnnxExporter.toModel(fresh, metadata()));
  }
}
