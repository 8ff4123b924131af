package dev.captcha.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captcha.model.ModelKeys;
import dev.captcha.model.ModelMetadata;
import dev.captcha.training.quantize.Int8Quantizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The calibrate command end to end on the bundled model, and its refusals. */
class CalibrateCommandTest {

  static final Path BUNDLED = Path.of("..", "models", "captcha-resnet.onnx");

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  @Test
  void fitsAndWritesTheTemperatureKeepingEverythingElse(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isRegularFile(BUNDLED), "bundled model not there");
    Path out = dir.resolve("calibrated.onnx");
    CliRun r =
        run(
            "calibrate",
            "--model",
            BUNDLED.toString(),
            "--out",
            out.toString(),
            "--generate",
            "48",
            "--batch-size",
            "16",
            "--quiet");
    assertEquals(0, r.code(), r.out() + r.err());
    Matcher m = Pattern.compile("temperature {2}1 -> ([0-9.]+)").matcher(r.out());
    assertTrue(m.find(), r.out());
    double t = Double.parseDouble(m.group(1));
    assertTrue(t > 0, r.out());
    assertTrue(r.out().contains("per-position NLL"), r.out());
    assertTrue(r.out().contains("after (T = " + m.group(1) + ")"), r.out());
    assertTrue(r.out().contains(">= 0.99"), r.out());

    ModelProto before = Int8Quantizer.read(BUNDLED);
    ModelProto after = Int8Quantizer.read(out);
    assertEquals(before.getGraph(), after.getGraph(), "the graph is unchanged");
    Map<String, String> was = Int8Quantizer.metadata(before);
    Map<String, String> is = Int8Quantizer.metadata(after);
    was.forEach((k, v) -> assertEquals(v, is.get(k), k));
    assertEquals(m.group(1), is.get(ModelKeys.CONFIDENCE_TEMPERATURE));
    assertTrue(is.get(ModelKeys.CONFIDENCE_CALIBRATION).contains("48 generated captchas"));
    assertEquals(t, ModelMetadata.parse(is).confidenceTemperature());
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(1, files.count(), "no temporary file is left");
    }

    // evaluate reads the temperature and prints the thresholds table.
    Path json = dir.resolve("eval.json");
    CliRun e =
        run(
            "evaluate",
            "--model",
            out.toString(),
            "--generate",
            "16",
            "--quiet",
            "--json",
            json.toString());
    assertEquals(0, e.code(), e.out() + e.err());
    // The same temperature, however it is written (0.0500 is printed as 0.05).
    Matcher shown = Pattern.compile("\\(T = ([0-9.]+)\\)").matcher(e.out());
    assertTrue(shown.find(), e.out());
    assertEquals(t, Double.parseDouble(shown.group(1)), 1e-12, e.out());
    JsonNode n = new ObjectMapper().readTree(json.toFile());
    assertEquals(t, n.get("confidence").get("temperature").asDouble(), 1e-12);
    assertEquals(5, n.get("confidence").get("thresholds").size());
    assertEquals(0.5, n.get("confidence").get("thresholds").get(0).get("threshold").asDouble());
    JsonNode first = n.get("confidence").get("thresholds").get(0);
    assertEquals(16, first.get("images").asInt() + first.get("rest_images").asInt());
  }

  @Test
  void calibratesOnDegradedCaptchasAsInTraining(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isRegularFile(BUNDLED), "bundled model not there");
    Path out = dir.resolve("calibrated.onnx");
    CliRun r =
        run(
            "calibrate",
            "--model",
            BUNDLED.toString(),
            "--out",
            out.toString(),
            "--generate",
            "32",
            "--augment-rate",
            "0.5",
            "--glyph-variation",
            "0.25",
            "--quiet");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("glyph variation 0.25, degraded 0.5"), r.out());
    Map<String, String> is = Int8Quantizer.metadata(Int8Quantizer.read(out));
    assertTrue(
        is.get(ModelKeys.CONFIDENCE_CALIBRATION).contains("degraded 0.5"),
        is.get(ModelKeys.CONFIDENCE_CALIBRATION));

    for (String[] bad : new String[][] {{"--augment-rate", "1.5"}, {"--glyph-variation", "-0.1"}}) {
      Path none = dir.resolve("none.onnx");
      CliRun refused =
          run(
              "calibrate",
              "--model",
              BUNDLED.toString(),
              "--out",
              none.toString(),
              bad[0],
              bad[1],
              "--quiet");
      assertEquals(2, refused.code(), refused.err());
      assertTrue(refused.err().startsWith("error: "), refused.err());
      assertFalse(Files.exists(none), "nothing written");
    }
  }

  @Test
  void badInputGetsAnErrorAndWritesNothing(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("out.onnx");
    CliRun missing =
        run("calibrate", "--model", dir.resolve("none.onnx").toString(), "--out", out.toString());
    assertEquals(2, missing.code());
    assertTrue(missing.err().startsWith("error: model file"), missing.err());

    Path garbage = dir.resolve("garbage.onnx");
    Files.writeString(garbage, "not a model at all");
    CliRun notOnnx =
        run("calibrate", "--model", garbage.toString(), "--out", out.toString(), "--generate", "2");
    assertEquals(2, notOnnx.code(), notOnnx.err());
    assertTrue(notOnnx.err().startsWith("error: "), notOnnx.err());

    assertEquals(
        2,
        run("calibrate", "--model", garbage.toString(), "--out", out.toString(), "--generate", "0")
            .code());
    assertEquals(
        2,
        run(
                "calibrate",
                "--model",
                garbage.toString(),
                "--out",
                dir.resolve("no/such/folder/x.onnx").toString())
            .code());
    CliRun self = run("calibrate", "--model", garbage.toString(), "--out", garbage.toString());
    assertEquals(2, self.code());
    assertTrue(self.err().contains("model file itself"), self.err());
    assertEquals(2, run("calibrate", "--model", garbage.toString()).code(), "--out is required");
    if (Files.isRegularFile(BUNDLED)) {
      CliRun font =
          run(
              "calibrate",
              "--model",
              BUNDLED.toString(),
              "--out",
              out.toString(),
              "--fonts",
              "No Such Family");
      assertEquals(2, font.code(), font.err());
    }
    assertFalse(Files.exists(out));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(1, files.count(), "only the garbage file: no partial output");
    }
  }
}
