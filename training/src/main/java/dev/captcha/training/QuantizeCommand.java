package dev.captcha.training;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The {@code quantize} command: an int8 QDQ model from a float model file, through the accuracy
 * guard.
 */
@Command(
    name = "quantize",
    mixinStandardHelpOptions = true,
    description =
        "Writes an int8 version of a float ONNX model (QDQ: per-channel symmetric int8 weights,"
            + " 8-bit activations calibrated on generated captchas), only if it keeps the float model's exact"
            + " accuracy within --max-drop points on fresh training-font, held-out-font and reference captchas;"
            + " exits 1 with the figures otherwise.")
final class QuantizeCommand implements Callable<Integer> {

  @Option(
      names = {"-m", "--model"},
      defaultValue = "models/captcha-resnet.onnx",
      description = "Float ONNX model file (default: ${DEFAULT-VALUE}).")
  Path model;

  @Option(
      names = {"-o", "--out"},
      defaultValue = "models/captcha-resnet-int8.onnx",
      description = "int8 ONNX file to write (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(
      names = "--threads",
      defaultValue = "2",
      description = "ONNX Runtime intra-op threads (default: ${DEFAULT-VALUE}).")
  int threads;

  @Mixin QuantizeOptions quantize;

  @Override
  public Integer call() throws Exception {
    return quantize.run(model, out, threads, System.out, System.err);
  }
}
