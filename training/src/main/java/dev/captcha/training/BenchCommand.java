package dev.captcha.training;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.captcha.training.eval.LatencyBench;
import dev.captcha.training.eval.OnnxModel;
import dev.captcha.training.eval.PreprocessBench;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code bench} command: ONNX Runtime inference latency of a model file per batch size. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Measures ONNX Runtime inference time of a model file at several batch sizes"
            + " (warm-up, then median and p90 over repetitions).")
final class BenchCommand implements Callable<Integer> {

  @Option(
      names = {"-m", "--model"},
      defaultValue = "models/captcha-resnet.onnx",
      description = "ONNX model file (default: ${DEFAULT-VALUE}).")
  Path model;

  @Option(
      names = "--batch-sizes",
      split = ",",
      defaultValue = "1,8,32,128",
      description = "Batch sizes (default: ${DEFAULT-VALUE}).")
  int[] batchSizes;

  @Option(
      names = "--threads",
      defaultValue = "1",
      description = "ONNX Runtime intra-op threads (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(
      names = "--instances",
      defaultValue = "1",
      description =
          "Sessions run at once, each from"
              + " its own thread, as the server's --instances (default: ${DEFAULT-VALUE}); above 1,"
              + " images/s is the total over all sessions per second of wall time.")
  int instances;

  @Option(
      names = "--warmup",
      defaultValue = "20",
      description = "Untimed runs per batch size (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(
      names = "--repetitions",
      defaultValue = "200",
      description = "Timed runs per batch size (default: ${DEFAULT-VALUE}).")
  int repetitions;

  @Option(names = "--json", description = "Also write the results to this JSON file.")
  Path json;

  @Option(
      names = "--compare",
      paramLabel = "MODEL",
      description =
          "A second model file timed against --model in"
              + " alternating rounds (for example the int8 file against the float one); prints median images/s and ratios.")
  Path compare;

  @Option(
      names = "--rounds",
      defaultValue = "15",
      description =
          "Alternating rounds of --compare, each of"
              + " --repetitions runs per model and batch size (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(
      names = "--preprocess",
      paramLabel = "IMAGES",
      description =
          "Instead of inference, time the model's preprocessing (decoded PNG to input tensor) on this many"
              + " captchas, beside every other colour transform of its channel count: --rounds rounds of"
              + " --repetitions passes each; prints medians and per-round ratios to the model's own.")
  Integer preprocess;

  @Override
  public Integer call() throws Exception {
    if (preprocess != null) {
      return preprocess();
    }
    if (instances < 1) {
      throw new IllegalArgumentException("--instances must be >= 1, got " + instances);
    }
    if (compare != null) {
      return PairedBenchReport.print(
          model, compare, batchSizes, threads, warmup, rounds, repetitions, json);
    }
    if (instances > 1) {
      return concurrent();
    }
    try (OnnxModel onnx = OnnxModel.load(model, threads)) {
      List<LatencyBench.Row> rows = LatencyBench.run(onnx, batchSizes, warmup, repetitions, 1);
      System.out.printf(
          Locale.ROOT,
          "%s: %d intra-op thread(s), %d warm-up, %d repetitions%n",
          model,
          threads,
          warmup,
          repetitions);
      System.out.printf(
          Locale.ROOT,
          "%6s %12s %12s %12s %14s %12s%n",
          "batch",
          "median ms",
          "p90 ms",
          "min ms",
          "ms per image",
          "images/s");
      for (LatencyBench.Row r : rows) {
        System.out.printf(
            Locale.ROOT,
            "%6d %12.3f %12.3f %12.3f %14.3f %12.0f%n",
            r.batchSize(),
            r.medianMs(),
            r.p90Ms(),
            r.minMs(),
            r.medianMsPerImage(),
            r.imagesPerSecond());
      }
      writeJson(rows.stream().map(r -> rowJson(r, r.imagesPerSecond())).toList());
    }
    return 0;
  }

  private int preprocess() throws Exception {
    dev.captcha.model.InputSpec input;
    try (OnnxModel onnx = OnnxModel.load(model, 1)) {
      input = onnx.info().input();
    }
    List<PreprocessBench.Row> rows = PreprocessBench.run(input, preprocess, rounds, repetitions);
    System.out.printf(
        Locale.ROOT,
        "%s: preprocessing of %d decoded PNG captchas to %dx%dx%d, %d rounds of %d passes%n",
        model,
        preprocess,
        input.channels(),
        input.height(),
        input.width(),
        rounds,
        repetitions);
    System.out.printf(
        Locale.ROOT, "%-12s %14s %16s%n", "transform", "us per image", "ratio to own");
    for (PreprocessBench.Row r : rows) {
      System.out.printf(
          Locale.ROOT,
          "%-12s %14.1f %16.2f%s%n",
          r.color().label(),
          r.medianMicros(),
          r.medianRatio(),
          r.color() == input.color() ? "   (the model's own)" : "");
    }
    return 0;
  }

  private int concurrent() throws Exception {
    List<OnnxModel> sessions = new ArrayList<>();
    try {
      for (int i = 0; i < instances; i++) {
        sessions.add(OnnxModel.load(model, threads));
      }
      List<LatencyBench.ConcurrentRow> rows =
          LatencyBench.runConcurrent(sessions, batchSizes, warmup, repetitions, 1);
      System.out.printf(
          Locale.ROOT,
          "%s: %d sessions at once, %d intra-op thread(s) each, %d warm-up, %d repetitions each%n",
          model,
          instances,
          threads,
          warmup,
          repetitions);
      System.out.printf(
          Locale.ROOT,
          "%6s %12s %12s %12s %12s%n",
          "batch",
          "median ms",
          "p90 ms",
          "min ms",
          "images/s");
      for (LatencyBench.ConcurrentRow c : rows) {
        LatencyBench.Row r = c.latency();
        System.out.printf(
            Locale.ROOT,
            "%6d %12.3f %12.3f %12.3f %12.0f%n",
            r.batchSize(),
            r.medianMs(),
            r.p90Ms(),
            r.minMs(),
            c.imagesPerSecond());
      }
      writeJson(rows.stream().map(c -> rowJson(c.latency(), c.imagesPerSecond())).toList());
    } finally {
      for (OnnxModel s : sessions) {
        s.close();
      }
    }
    return 0;
  }

  private static ObjectNode rowJson(LatencyBench.Row r, double imagesPerSecond) {
    ObjectNode n = Json.object();
    n.put("batch_size", r.batchSize());
    n.put("median_ms", Json.rounded(r.medianMs(), 4));
    n.put("p90_ms", Json.rounded(r.p90Ms(), 4));
    n.put("min_ms", Json.rounded(r.minMs(), 4));
    n.put("median_ms_per_image", Json.rounded(r.medianMsPerImage(), 4));
    n.put("images_per_second", Json.rounded(imagesPerSecond, 1));
    return n;
  }

  private void writeJson(List<ObjectNode> rows) throws java.io.IOException {
    if (json == null) {
      return;
    }
    ObjectNode n = Json.object();
    n.put("model", model.toString());
    n.put("threads", threads);
    n.put("instances", instances);
    n.put("repetitions", repetitions);
    n.putArray("rows").addAll(rows);
    Json.write(json, n);
  }
}
