package dev.captcha.training.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.FontCatalog;
import dev.captcha.model.Int8Kernels;
import dev.captcha.model.Preprocessor;
import dev.captcha.training.eval.OnnxModel;
import dev.captcha.training.export.ModelMetadata;
import dev.captcha.training.export.OnnxExporter;
import dev.captcha.training.export.OnnxExporterTestAccess;
import dev.captcha.training.model.CaptchaResNet;
import dev.captcha.training.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quantizer on a small network with random weights and BatchNorm statistics. */
class Int8QuantizerTest {

  @TempDir static Path dir;
  private static Path floatFile;

  @BeforeAll
  static void exportAFloatModel() throws Exception {
    Trainer.configureEngine(1);
    CaptchaResNet net = CaptchaResNet.create(CaptchaResNet.Spec.standard(4, 62));
    try (Model model = Model.newInstance("q", Device.cpu(), "PyTorch")) {
      model.setBlock(net.block());
      net.block().initialize(model.getNDManager(), DataType.FLOAT32, net.inputShape(1));
      OnnxExporterTestAccess.randomiseBatchNorms(net, new SplittableRandom(5));
      floatFile = dir.resolve("float.onnx");
      Map<String, String> meta = ModelMetadata.required(net.spec(), "tiny", "0.1");
      meta.put("captcha.validation.exact_accuracy", "0.5");
      OnnxExporter.export(net, meta, floatFile);
    }
  }

  private static Int8Quantizer.Settings settings(CalibrationMethod method, Set<String> keepFloat) {
    return new Int8Quantizer.Settings(
        24, 9, List.of("DejaVu Sans"), method, 99.99, ActivationType.U8, keepFloat, 1);
  }

  @Test
  void writesAQdqModelThatOnnxRuntimeRunsCloseToTheFloatOne() throws Exception {
    ModelProto floatProto = Int8Quantizer.read(floatFile);
    Int8Quantizer.Result r =
        Int8Quantizer.quantize(floatProto, floatFile, settings(CalibrationMethod.MSE, Set.of()));
    ModelProto q = r.model();
    Map<String, Long> ops =
        q.getGraph().getNodeList().stream()
            .collect(Collectors.groupingBy(NodeProto::getOpType, Collectors.counting()));
    // 12 convolutions, 4 adds, 1 gemm, all quantized
    assertEquals(17, r.quantizedNodes().size());
    assertTrue(ops.get("QuantizeLinear") >= 17, ops.toString());
    assertTrue(ops.get("DequantizeLinear") > ops.get("QuantizeLinear"), ops.toString());
    for (NodeProto n : q.getGraph().getNodeList()) {
      if (n.getOpType().equals("Conv") || n.getOpType().equals("Gemm")) {
        String w = n.getInput(1);
        NodeProto dq =
            q.getGraph().getNodeList().stream()
                .filter(d -> d.getOutput(0).equals(w))
                .findFirst()
                .orElseThrow();
        assertEquals("DequantizeLinear", dq.getOpType());
        assertEquals("axis", dq.getAttribute(0).getName(), "per-channel weights");
        TensorProto init =
            q.getGraph().getInitializerList().stream()
                .filter(t -> t.getName().equals(dq.getInput(0)))
                .findFirst()
                .orElseThrow();
        assertEquals(TensorProto.DataType.INT8_VALUE, init.getDataType());
      }
    }
    assertTrue(
        q.getGraph().getInitializerList().stream()
            .noneMatch(t -> t.getName().equals("stem_weight")),
        "float weights are replaced");

    Path file = dir.resolve("int8.onnx");
    Files.write(file, q.toByteArray());
    try (OnnxModel f = OnnxModel.load(floatFile, 1);
        OnnxModel i8 = OnnxModel.load(file, 1)) {
      Map<String, String> meta = i8.info().all();
      assertEquals("int8", meta.get(Int8Quantizer.PRECISION_KEY));
      assertEquals(Int8Quantizer.sha256(floatFile), meta.get("captcha.quantization.source_sha256"));
      assertEquals("none", meta.get("captcha.quantization.float_layers"));
      assertTrue(meta.get("captcha.quantization.calibration").startsWith("mse"), meta.toString());
      for (Map.Entry<String, String> e : f.info().all().entrySet()) {
        assertEquals(e.getValue(), meta.get(e.getKey()), "kept " + e.getKey());
      }
      // Where ONNX Runtime's int8 kernels saturate, the file is right and its outputs are not.
      assumeTrue(Int8Kernels.accurateHere(), "no 8-bit dot-product instructions on this CPU");
      float[] input = captchas(f, 8);
      float[] a = f.run(input, 8);
      float[] b = i8.run(input, 8);
      double err = 0;
      double norm = 0;
      for (int k = 0; k < a.length; k++) {
        err += (a[k] - b[k]) * (double) (a[k] - b[k]);
        norm += a[k] * (double) a[k];
      }
      double relative = Math.sqrt(err / norm);
      System.out.printf("int8 vs float logits: relative error %.4f%n", relative);
      assertTrue(relative < 0.1, "relative logit error " + relative);
    }
  }

  @Test
  void layersCanStayFloat() throws Exception {
    Int8Quantizer.Result r =
        Int8Quantizer.quantize(
            Int8Quantizer.read(floatFile),
            floatFile,
            settings(CalibrationMethod.MINMAX, Set.of("stem", "head")));
    assertEquals(15, r.quantizedNodes().size());
    assertFalse(r.quantizedNodes().contains("stem"));
    assertFalse(r.ranges().containsKey("image"), "the stem's input is not quantized");
    assertEquals(
        "stem,head", Int8Quantizer.metadata(r.model()).get("captcha.quantization.float_layers"));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            Int8Quantizer.quantize(
                Int8Quantizer.read(floatFile),
                floatFile,
                settings(CalibrationMethod.MSE, Set.of("no_such_node"))));
  }

  @Test
  void refusesAModelThatIsAlreadyQuantized() throws Exception {
    ModelProto q =
        Int8Quantizer.quantize(
                Int8Quantizer.read(floatFile),
                floatFile,
                settings(CalibrationMethod.MINMAX, Set.of()))
            .model();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Int8Quantizer.quantize(q, floatFile, settings(CalibrationMethod.MINMAX, Set.of())));
    assertTrue(e.getMessage().contains("already int8"), e.getMessage());
  }

  private static float[] captchas(OnnxModel m, int n) {
    CaptchaGenerator g =
        CaptchaGenerator.builder()
            .fonts(FontCatalog.scanDefault().resolve(List.of("DejaVu Sans")))
            .build();
    Preprocessor pre = new Preprocessor(m.info().input());
    float[] input = new float[n * m.info().input().itemSize()];
    for (int i = 0; i < n; i++) {
      pre.toTensor(g.generate(77, i).image(), input, i * m.info().input().itemSize());
    }
    return input;
  }
}
