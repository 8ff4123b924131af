package dev.captcha.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.onnx.proto.OnnxMl.ModelProto;
import dev.captcha.model.ColorMode;
import dev.captcha.model.ModelKeys;
import dev.captcha.model.ModelMetadata;
import dev.captcha.model.ResizeRule;
import dev.captcha.training.export.OnnxExporter;
import dev.captcha.training.model.CaptchaResNet;
import dev.captcha.training.quantize.Int8Quantizer;
import dev.captcha.training.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The set-input command: a copy with another preprocessing, the graph untouched; refusals. */
class SetInputCommandTest {

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  /** A tiny untrained network exported with the exporter's metadata (min-rgb, bilinear). */
  private static Path tinyModel(Path dir) throws Exception {
    Path file = dir.resolve("tiny.onnx");
    Trainer.configureEngine(1);
    CaptchaResNet.Spec spec = new CaptchaResNet.Spec(1, 64, 128, 4, 62, new int[] {4, 8});
    try (Model m = Model.newInstance("tiny", Device.cpu(), "PyTorch")) {
      CaptchaResNet net = CaptchaResNet.create(spec);
      m.setBlock(net.block());
      net.block().initialize(m.getNDManager(), DataType.FLOAT32, net.inputShape(1));
      OnnxExporter.export(
          net, dev.captcha.training.export.ModelMetadata.required(spec, "tiny", "0.1.0"), file);
    }
    return file;
  }

  @Test
  void writesTheNewPreprocessingAndVersionKeepingTheGraphAndEveryOtherEntry(@TempDir Path dir)
      throws Exception {
    Path model = tinyModel(dir);
    Path out = dir.resolve("text-alpha.onnx");
    CliRun r =
        run(
            "set-input",
            "--model",
            model.toString(),
            "--out",
            out.toString(),
            "--input-color",
            "text-alpha",
            "--resize",
            "area-stretch",
            "--model-version",
            "0.1.1");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("colour min-rgb -> text-alpha"), r.out());

    ModelProto before = Int8Quantizer.read(model);
    ModelProto after = Int8Quantizer.read(out);
    assertEquals(before.getGraph(), after.getGraph(), "the graph and weights are untouched");
    Map<String, String> was = Int8Quantizer.metadata(before);
    Map<String, String> now = new HashMap<>(Int8Quantizer.metadata(after));
    ModelMetadata info = ModelMetadata.parse(now);
    assertEquals(ColorMode.TEXT_ALPHA, info.input().color());
    assertEquals(ResizeRule.AREA_STRETCH, info.input().resize());
    assertEquals("0.1.1", info.version());
    String changed = now.remove(SetInputCommand.CHANGED);
    assertTrue(
        changed.startsWith(
            "colour min-rgb -> text-alpha, resize bilinear-stretch -> area-stretch,"
                + " version 0.1.0 -> 0.1.1 ("),
        changed);
    for (String key :
        List.of(ModelKeys.INPUT_COLOR, ModelKeys.INPUT_RESIZE, ModelKeys.MODEL_VERSION)) {
      now.remove(key);
    }
    Map<String, String> rest = new HashMap<>(was);
    rest.keySet()
        .removeAll(List.of(ModelKeys.INPUT_COLOR, ModelKeys.INPUT_RESIZE, ModelKeys.MODEL_VERSION));
    assertEquals(rest, now, "every other entry kept");

    // A second change is appended to the record.
    Path back = dir.resolve("back.onnx");
    assertEquals(
        0,
        run(
                "set-input",
                "--model",
                out.toString(),
                "--out",
                back.toString(),
                "--input-color",
                "min-rgb")
            .code());
    String twice = Int8Quantizer.metadata(Int8Quantizer.read(back)).get(SetInputCommand.CHANGED);
    assertTrue(twice.startsWith(changed + "; colour text-alpha -> min-rgb ("), twice);
  }

  @Test
  void badInputGetsAnErrorAndWritesNothing(@TempDir Path dir) throws Exception {
    Path model = tinyModel(dir);
    Path out = dir.resolve("out.onnx");
    String m = model.toString();
    String o = out.toString();
    CliRun threeChannels = run("set-input", "--model", m, "--out", o, "--input-color", "rgb");
    assertEquals(2, threeChannels.code());
    assertTrue(threeChannels.err().contains("gives 3 channels"), threeChannels.err());
    CliRun unknown = run("set-input", "--model", m, "--out", o, "--input-color", "sepia");
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("known: min-rgb, gray, rgb, text-alpha"), unknown.err());
    assertEquals(2, run("set-input", "--model", m, "--out", o, "--resize", "lanczos").code());
    assertEquals(2, run("set-input", "--model", m, "--out", o, "--model-version", " ").code());
    CliRun nothing = run("set-input", "--model", m, "--out", o);
    assertEquals(2, nothing.code());
    assertTrue(nothing.err().startsWith("error: nothing to change"), nothing.err());
    CliRun self = run("set-input", "--model", m, "--out", m, "--input-color", "text-alpha");
    assertEquals(2, self.code());
    assertTrue(self.err().contains("model file itself"), self.err());
    Path garbage = dir.resolve("garbage.onnx");
    Files.writeString(garbage, "not a model at all");
    CliRun notOnnx =
        run("set-input", "--model", garbage.toString(), "--out", o, "--input-color", "text-alpha");
    assertEquals(2, notOnnx.code(), notOnnx.err());
    assertTrue(notOnnx.err().startsWith("error: "), notOnnx.err());
    assertEquals(
        2,
        run(
                "set-input",
                "--model",
                dir.resolve("none.onnx").toString(),
                "--out",
                o,
                "--input-color",
                "text-alpha")
            .code());
    assertFalse(Files.exists(out));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(
          List.of("garbage.onnx", "tiny.onnx"),
          files.map(p -> p.getFileName().toString()).sorted().toList(),
          "no temporary file left");
    }
  }
}
