package dev.captcha.training;

import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options of a command that writes a float model and may also write its int8 version: {@code
 * --quantize int8}, {@code --int8-out} and the quantization and guard settings.
 */
final class Int8OutputOptions {

  @Option(
      names = "--quantize",
      paramLabel = "int8",
      description =
          "Also write an int8 QDQ model (see the quantize command) to --int8-out, if it passes"
              + " the accuracy guard.")
  String quantizeTo;

  @Option(
      names = "--int8-out",
      description = "int8 file of --quantize (default: the --out name with -int8).")
  Path int8Out;

  @Mixin QuantizeOptions quantize;

  /**
   * The int8 file to write beside {@code floatOut}, or null without {@code --quantize}.
   *
   * @throws IllegalArgumentException for a precision other than int8
   */
  Path target(Path floatOut) {
    if (quantizeTo == null) {
      return null;
    }
    if (!quantizeTo.equals("int8")) {
      throw new IllegalArgumentException("--quantize supports int8 only, got '" + quantizeTo + "'");
    }
    return int8Out != null ? int8Out : siblingOf(floatOut);
  }

  /** {@code models/a.onnx} -> {@code models/a-int8.onnx}; a name without .onnx gets -int8.onnx. */
  static Path siblingOf(Path floatOut) {
    return floatOut.resolveSibling(
        floatOut.getFileName().toString().replaceFirst("(\\.onnx)?$", "-int8.onnx"));
  }
}
