package dev.captcha.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class Int8OutputOptionsTest {

  @Command(name = "probe")
  static final class Probe {
    @Mixin Int8OutputOptions int8;
  }

  private static Int8OutputOptions parse(String... args) {
    Probe p = new Probe();
    new CommandLine(p).parseArgs(args);
    return p.int8;
  }

  @Test
  void noQuantizeMeansNoInt8File() {
    assertNull(parse().target(Path.of("models/a.onnx")));
    assertNull(parse("--int8-out", "x.onnx").target(Path.of("models/a.onnx")));
  }

  @Test
  void defaultInt8FileSitsBesideTheFloatOne() {
    assertEquals(
        Path.of("models/a-int8.onnx"),
        parse("--quantize", "int8").target(Path.of("models/a.onnx")));
    assertEquals(Path.of("out/b-int8.onnx"), Int8OutputOptions.siblingOf(Path.of("out/b")));
  }

  @Test
  void int8OutWins() {
    assertEquals(
        Path.of("q.onnx"),
        parse("--quantize", "int8", "--int8-out", "q.onnx").target(Path.of("models/a.onnx")));
  }

  @Test
  void otherPrecisionsAreRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> parse("--quantize", "fp16").target(Path.of("a.onnx")));
    assertEquals("--quantize supports int8 only, got 'fp16'", e.getMessage());
  }

  @Test
  void quantizationSettingsComeWithIt() {
    Int8OutputOptions o = parse("--quantize", "int8", "--max-drop", "0.5", "--calibration", "10");
    assertEquals(0.5, o.quantize.maxDrop);
    assertEquals(10, o.quantize.calibration);
  }
}
