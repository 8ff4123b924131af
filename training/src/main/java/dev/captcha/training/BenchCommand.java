package dev.captcha.training;

import dev.captcha.training.eval.LatencyBench;
import dev.captcha.training.eval.OnnxModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code bench} command: ONNX Runtime inference latency of a model file per batch size. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measures ONNX Runtime inference time of a model file at several batch sizes"
        + " (warm-up, then median and p90 over repetitions).")
final class BenchCommand implements Callable<Integer> {

  @Option(names = {"-m", "--model"}, defaultValue = "models/captcha-resnet.onnx", description = "ONNX model file (default: ${DEFAULT-VALUE}).")
  Path model;

  @Option(names = "--batch-sizes", split = ",", defaultValue = "1,8,32,128", description = "Batch sizes (default: ${DEFAULT-VALUE}).")
  int[] batchSizes;

  @Option(names = "--threads", defaultValue = "1", description = "ONNX Runtime intra-op threads (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--warmup", defaultValue = "20", description = "Untimed runs per batch size (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--repetitions", defaultValue = "200", description = "Timed runs per batch size (default: ${DEFAULT-VALUE}).")
  int repetitions;

  @Option(names = "--json", description = "Also write the results to this JSON file.")
  Path json;

  @Override
  public Integer call() throws Exception {
    try (OnnxModel onnx = OnnxModel.load(model, threads)) {
      List<LatencyBench.Row> rows = LatencyBench.run(onnx, batchSizes, warmup, repetitions, 1);
      System.out.printf(Locale.ROOT, "%s: %d intra-op thread(s), %d warm-up, %d repetitions%n", model, threads, warmup, repetitions);
      System.out.printf(Locale.ROOT, "%6s %12s %12s %12s %14s %12s%n", "batch", "median ms", "p90 ms", "min ms", "ms per image", "images/s");
      for (LatencyBench.Row r : rows) {
        System.out.printf(Locale.ROOT, "%6d %12.3f %12.3f %12.3f %14.3f %12.0f%n", r.batchSize(), r.medianMs(), r.p90Ms(),
            r.minMs(), r.medianMsPerImage(), r.imagesPerSecond());
      }
      if (json != null) {
        String list = rows.stream().map(r -> String.format(Locale.ROOT,
                "{\"batch_size\": %d, \"median_ms\": %.4f, \"p90_ms\": %.4f, \"min_ms\": %.4f, \"median_ms_per_image\": %.4f}",
                r.batchSize(), r.medianMs(), r.p90Ms(), r.minMs(), r.medianMsPerImage()))
            .collect(Collectors.joining(",\n    ", "[\n    ", "\n  ]"));
        Files.writeString(json, String.format(Locale.ROOT, "{%n  \"model\": %s,%n  \"threads\": %d,%n  \"repetitions\": %d,%n"
            + "  \"rows\": %s%n}%n", Json.quote(model.toString()), threads, repetitions, list), StandardCharsets.UTF_8);
      }
    }
    return 0;
  }
}
