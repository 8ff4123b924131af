package dev.captcha.training;

import dev.captcha.training.export.RunExporter;
import dev.captcha.training.train.RunFolder;
import dev.captcha.training.train.Trainer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The {@code export} command: writes a run's checkpoint as an ONNX model file and verifies it. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description =
        "Exports a checkpoint of a training run (the best by default) to ONNX (BatchNorm folded, model-format metadata),"
            + " then checks the file in ONNX Runtime against DJL on random inputs.")
final class ExportCommand implements Callable<Integer> {

  @Option(
      names = "--run-dir",
      defaultValue = "runs/default",
      description =
          "Run folder with the checkpoint and training.properties (default: ${DEFAULT-VALUE}).")
  Path runDir;

  @Option(
      names = "--checkpoint",
      defaultValue = "best",
      converter = ChoiceConverter.class,
      description =
          "Which checkpoint: best (highest validation exact accuracy) or last (default: ${DEFAULT-VALUE}).")
  RunFolder.Choice checkpoint;

  @Option(
      names = {"-o", "--out"},
      defaultValue = "models/captcha-resnet.onnx",
      description = "ONNX file to write (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(
      names = "--name",
      defaultValue = "afocus-resnet",
      description = "Model name (default: ${DEFAULT-VALUE}).")
  String name;

  @Option(
      names = "--model-version",
      defaultValue = "1.0.0",
      description = "Model version (default: ${DEFAULT-VALUE}).")
  String version;

  @Option(
      names = "--length",
      defaultValue = "4",
      description =
          "Characters per captcha the network was trained for (default: ${DEFAULT-VALUE}).")
  int length;

  @Option(
      names = "--check-images",
      defaultValue = "16",
      description =
          "Random inputs compared between DJL and ONNX Runtime (default: ${DEFAULT-VALUE}).")
  int checkImages;

  @Option(
      names = "--threads",
      defaultValue = "2",
      description = "Threads for PyTorch and ONNX Runtime (default: ${DEFAULT-VALUE}).")
  int threads;

  @Mixin Int8OutputOptions int8;

  @Override
  public Integer call() throws Exception {
    Path int8Target = int8.target(out);
    Trainer.configureEngine(threads);
    RunExporter.Report r =
        RunExporter.export(runDir, checkpoint, out, name, version, length, checkImages, threads);
    System.out.printf(Locale.ROOT, "exported %s of %s%n", r.checkpoint(), runDir);
    System.out.printf(
        Locale.ROOT,
        "wrote %s (%,d bytes), %s %s, validation exact accuracy %s%n",
        r.file(),
        r.bytes(),
        r.metadata().get("captcha.model.name"),
        r.metadata().get("captcha.model.version"),
        r.metadata().get("captcha.validation.exact_accuracy"));
    System.out.printf(
        Locale.ROOT,
        "ONNX Runtime vs DJL on %d random inputs: max abs logit difference %.3g,"
            + " %d of %d positions with a different argmax%n",
        r.parity().images(),
        r.parity().maxAbsDifference(),
        r.parity().argmaxDisagreements(),
        r.parity().images() * length);
    if (!r.matches()) {
      System.err.printf(
          Locale.ROOT,
          "export check failed: difference %.3g exceeds %.1g%n",
          r.parity().maxAbsDifference(),
          RunExporter.TOLERANCE);
      return 1;
    }
    if (int8Target != null) {
      return int8.quantize.run(out, int8Target, threads, System.out, System.err);
    }
    return 0;
  }

  /** Parses {@code best} or {@code last}, case-insensitively. */
  static final class ChoiceConverter implements CommandLine.ITypeConverter<RunFolder.Choice> {
    @Override
    public RunFolder.Choice convert(String value) {
      try {
        return RunFolder.Choice.valueOf(value.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException("expected best or last, got '" + value + "'");
      }
    }
  }
}
