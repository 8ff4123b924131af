package dev.captcha.training;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.captcha.model.ColorMode;
import dev.captcha.model.ModelFormatException;
import dev.captcha.model.ModelKeys;
import dev.captcha.model.ModelMetadata;
import dev.captcha.model.ResizeRule;
import dev.captcha.training.export.ModelFiles;
import dev.captcha.training.quantize.Int8Quantizer;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Writes a copy of a model file whose preprocessing (colour transform, resize rule) or version
 * differs, the weights untouched: how a transform chosen by {@code evaluate --input-color} or
 * {@code --resize} goes into the file that training's evaluation and the server both read.
 */
@Command(
    name = "set-input",
    mixinStandardHelpOptions = true,
    description =
        "Writes a copy of an ONNX model with another input colour transform and/or resize rule in its"
            + " metadata (the graph and weights unchanged; every other entry kept), after comparing them on the"
            + " same images with `evaluate --input-color` and `--resize`. Records the change in"
            + " captcha.input.changed.")
final class SetInputCommand implements Callable<Integer> {

  /** Metadata key recording each change this command made, oldest first. */
  static final String CHANGED = "captcha.input.changed";

  @Option(
      names = {"-m", "--model"},
      required = true,
      description = "ONNX model file to copy.")
  Path model;

  @Option(
      names = {"-o", "--out"},
      required = true,
      description = "ONNX file to write.")
  Path out;

  @Option(
      names = "--input-color",
      paramLabel = "MODE",
      description =
          "Colour transform to declare (as many channels as the model reads: min-rgb, gray or text-alpha"
              + " for a 1-channel model, rgb for a 3-channel one).")
  String inputColor;

  @Option(
      names = "--resize",
      paramLabel = "RULE",
      description = "Resize rule to declare: bilinear-stretch or area-stretch.")
  String resize;

  @Option(
      names = "--model-version",
      paramLabel = "VERSION",
      description = "Version to write in place of the model's own.")
  String version;

  @Override
  public Integer call() throws Exception {
    if (inputColor == null && resize == null && version == null) {
      throw new IllegalArgumentException(
          "nothing to change: give --input-color, --resize or --model-version");
    }
    Path target = ModelFiles.checkedOutput(out, model, "changed");
    ModelProto proto = ModelFiles.readGiven(model);
    Map<String, String> meta = Int8Quantizer.metadata(proto);
    ModelMetadata info;
    try {
      info = ModelMetadata.parse(meta);
    } catch (ModelFormatException e) {
      throw new IllegalArgumentException(
          model + " lacks the model-file metadata: " + e.getMessage(), e);
    }
    List<String> changes = new ArrayList<>();
    if (inputColor != null) {
      ColorMode color = InputOptions.color(inputColor);
      // InputSpec refuses a transform of another channel count than the model's.
      info.input().withColor(color);
      changes.add("colour " + info.input().color().label() + " -> " + color.label());
      meta.put(ModelKeys.INPUT_COLOR, color.label());
    }
    if (resize != null) {
      ResizeRule rule = InputOptions.resize(resize);
      changes.add("resize " + info.input().resize().label() + " -> " + rule.label());
      meta.put(ModelKeys.INPUT_RESIZE, rule.label());
    }
    if (version != null) {
      if (version.isBlank()) {
        throw new IllegalArgumentException("--model-version must not be blank");
      }
      changes.add("version " + info.version() + " -> " + version.trim());
      meta.put(ModelKeys.MODEL_VERSION, version.trim());
    }
    String entry =
        String.join(", ", changes) + " (" + Instant.now().truncatedTo(ChronoUnit.SECONDS) + ")";
    String before = meta.get(CHANGED);
    meta.put(CHANGED, before == null ? entry : before + "; " + entry);
    ModelMetadata written;
    try {
      written = ModelMetadata.parse(meta);
    } catch (ModelFormatException e) {
      throw new IllegalStateException("the changed metadata does not parse", e);
    }
    long bytes = ModelFiles.write(Int8Quantizer.withMetadata(proto, meta), target);
    System.out.printf(
        "wrote %s (%,d bytes): %s %s, input %s, %s; %s%n",
        out,
        bytes,
        written.name(),
        written.version(),
        written.input().color().label(),
        written.input().resize().label(),
        String.join(", ", changes));
    return 0;
  }
}
