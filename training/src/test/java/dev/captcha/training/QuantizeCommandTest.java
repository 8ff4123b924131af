package dev.captcha.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.captcha.model.Int8Kernels;
import dev.captcha.training.eval.OnnxModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quantize command and its accuracy guard on the bundled model. */
class QuantizeCommandTest {

  static final Path BUNDLED = Path.of("..", "models", "captcha-resnet.onnx");

  private static int run(String... args) {
    return TrainingCli.commandLine().execute(args);
  }

  private static String captureStdout(Runnable r) {
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      r.run();
    } finally {
      System.setOut(stdout);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  @Test
  void benchCompareWritesOneRowPerBatchSize(@TempDir Path dir) throws Exception {
    Path int8 = BUNDLED.resolveSibling("captcha-resnet-int8.onnx");
    assumeTrue(
        Files.isRegularFile(BUNDLED) && Files.isRegularFile(int8), "bundled models not there");
    Path json = dir.resolve("compare.json");
    int[] code = new int[1];
    String printed =
        captureStdout(
            () ->
                code[0] =
                    run(
                        "bench",
                        "--model",
                        BUNDLED.toString(),
                        "--compare",
                        int8.toString(),
                        "--batch-sizes",
                        "1,2",
                        "--warmup",
                        "0",
                        "--rounds",
                        "2",
                        "--repetitions",
                        "1",
                        "--json",
                        json.toString()));
    assertEquals(0, code[0], printed);
    assertTrue(printed.contains("(float32)") && printed.contains("(int8)"), printed);
    com.fasterxml.jackson.databind.JsonNode n =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.toFile());
    assertEquals(int8.toString(), n.get("b").asText());
    assertEquals(2, n.get("rows").size());
    assertEquals(2, n.get("rows").get(1).get("batch_size").asInt());
    assertTrue(n.get("rows").get(0).get("median_ratio").asDouble() > 0, n.toString());
  }

  @Test
  void theGuardRefusesABadlyCalibratedModelAndWritesNothing(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isRegularFile(BUNDLED), "bundled model not there");
    Path out = dir.resolve("bad-int8.onnx");
    int[] code = new int[1];
    // ranges at the 5th percentile clip nearly every activation: the int8 model reads nothing right
    String printed =
        captureStdout(
            () ->
                code[0] =
                    run(
                        "quantize",
                        "--model",
                        BUNDLED.toString(),
                        "--out",
                        out.toString(),
                        "--calibration",
                        "16",
                        "--calibration-method",
                        "percentile",
                        "--percentile",
                        "5",
                        "--guard-images",
                        "50",
                        "--reference",
                        "none",
                        "--threads",
                        "1"));
    assertEquals(1, code[0], printed);
    assertTrue(
        printed.contains("training fonts")
            && printed.contains("held-out fonts")
            && printed.contains("> limit"),
        printed);
    assertFalse(Files.exists(out));
    try (Stream<Path> left = Files.list(dir)) {
      assertEquals(0, left.count(), "no temporary file left");
    }
  }

  @Test
  void aWellCalibratedModelPassesAndRecordsItsPrecision(@TempDir Path dir) throws Exception {
    assumeTrue(
        Int8Kernels.accurateHere(),
        "no 8-bit dot-product instructions on this CPU: its int8 kernels fail any accuracy guard");
    assumeTrue(Files.isRegularFile(BUNDLED), "bundled model not there");
    Path out = dir.resolve("int8.onnx");
    int[] code = new int[1];
    String printed =
        captureStdout(
            () ->
                code[0] =
                    run(
                        "quantize",
                        "--model",
                        BUNDLED.toString(),
                        "--out",
                        out.toString(),
                        "--calibration",
                        "32",
                        "--guard-images",
                        "40",
                        "--reference",
                        "none",
                        "--max-drop",
                        "5",
                        "--threads",
                        "1"));
    assertEquals(0, code[0], printed);
    try (OnnxModel m = OnnxModel.load(out, 1)) {
      assertEquals("int8", m.info().all().get("captcha.precision"));
      assertTrue(
          m.info().all().get("captcha.quantization.guard").contains("training fonts"),
          m.info().all().toString());
      assertEquals("afocus-resnet", m.info().name());
    }
  }

  @Test
  void exportWritesTheFloatAndTheInt8File(@TempDir Path dir) throws Exception {
    Path runDir = dir.resolve("run");
    TinyRun.train(runDir);
    Path model = dir.resolve("out/tiny.onnx");
    int[] code = new int[1];
    // three training steps read nothing right, in float and in int8 alike: the guard passes
    String printed =
        captureStdout(
            () ->
                code[0] =
                    run(
                        "export",
                        "--run-dir",
                        runDir.toString(),
                        "--out",
                        model.toString(),
                        "--threads",
                        "1",
                        "--check-images",
                        "2",
                        "--quantize",
                        "int8",
                        "--calibration",
                        "8",
                        "--guard-images",
                        "8",
                        "--reference",
                        "none"));
    assertEquals(0, code[0], printed);
    Path int8 = dir.resolve("out/tiny-int8.onnx");
    assertTrue(Files.isRegularFile(model) && Files.isRegularFile(int8), printed);
    try (OnnxModel m = OnnxModel.load(int8, 1)) {
      assertEquals("int8", m.info().all().get("captcha.precision"));
      assertEquals("3", m.info().all().get("captcha.training.steps"), "provenance kept");
    }
  }

  @Test
  void badArgumentsGiveAnErrorExitCode(@TempDir Path dir) {
    assertEquals(
        2,
        run(
            "quantize",
            "--model",
            dir.resolve("missing.onnx").toString(),
            "--out",
            dir.resolve("o.onnx").toString(),
            "--reference",
            "none"));
    assertEquals(
        2,
        run(
            "quantize",
            "--model",
            BUNDLED.toString(),
            "--out",
            dir.resolve("o.onnx").toString(),
            "--activations",
            "u4"));
    assertEquals(
        2,
        run(
            "quantize",
            "--model",
            BUNDLED.toString(),
            "--out",
            dir.resolve("o.onnx").toString(),
            "--calibration-method",
            "magic"));
    assertEquals(
        2,
        run(
            "quantize",
            "--model",
            BUNDLED.toString(),
            "--out",
            BUNDLED.toString(),
            "--reference",
            "none"));
    assertEquals(
        2,
        run(
            "quantize",
            "--model",
            BUNDLED.toString(),
            "--out",
            dir.resolve("o.onnx").toString(),
            "--reference",
            dir.resolve("nowhere").toString()));
    assertEquals(2, run("export", "--run-dir", dir.toString(), "--quantize", "int4"));
  }
}
