package dev.captcha.training;

import dev.captcha.training.eval.OnnxModel;
import dev.captcha.training.eval.PairedBench;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Prints (and writes as JSON) a side-by-side speed comparison of two model files for the bench command. */
final class PairedBenchReport {

  private PairedBenchReport() {}

  static int print(Path first, Path second, int[] batchSizes, int threads, int warmup, int rounds, int repetitions,
      Path json) throws Exception {
    try (OnnxModel a = OnnxModel.load(first, threads); OnnxModel b = OnnxModel.load(second, threads)) {
      List<PairedBench.Row> rows = PairedBench.run(a, b, batchSizes, warmup, rounds, repetitions, 1);
      String pa = a.info().precision();
      String pb = b.info().precision();
      System.out.printf(Locale.ROOT, "A = %s (%s), B = %s (%s): %d intra-op thread(s), %d rounds of %d runs each,"
          + " order alternating; medians over rounds%n", first, pa, second, pb, threads, rounds, repetitions);
      System.out.printf(Locale.ROOT, "%6s %12s %12s %8s | %12s %12s %8s | %10s %10s%n", "batch", "A images/s",
          "B images/s", "B/A", "A img/cpu-s", "B img/cpu-s", "B/A", "A best ms", "B best ms");
      for (PairedBench.Row r : rows) {
        System.out.printf(Locale.ROOT, "%6d %12.0f %12.0f %7.2fx | %12.0f %12.0f %7.2fx | %10.3f %10.3f%n", r.batchSize(),
            r.firstImagesPerSecond(), r.secondImagesPerSecond(), r.medianRatio(), r.firstCpuImagesPerSecond(),
            r.secondCpuImagesPerSecond(), r.medianCpuRatio(), r.firstBestMs(), r.secondBestMs());
      }
      System.out.println("images/s: wall time of each round's block; img/cpu-s: the same runs in CPU time of the"
          + " calling thread (ONNX Runtime's with one intra-op thread), leaving out time the core gave to other processes");
      if (json != null) {
        String list = rows.stream().map(r -> String.format(Locale.ROOT, "{\"batch_size\": %d, \"a_images_per_second\": %.1f,"
            + " \"b_images_per_second\": %.1f, \"median_ratio\": %.3f, \"a_cpu_images_per_second\": %.1f,"
            + " \"b_cpu_images_per_second\": %.1f, \"median_cpu_ratio\": %.3f, \"a_best_ms\": %.4f, \"b_best_ms\": %.4f}",
            r.batchSize(), r.firstImagesPerSecond(), r.secondImagesPerSecond(), r.medianRatio(),
            r.firstCpuImagesPerSecond(), r.secondCpuImagesPerSecond(), r.medianCpuRatio(), r.firstBestMs(),
            r.secondBestMs())).collect(Collectors.joining(",\n    ", "[\n    ", "\n  ]"));
        Files.writeString(json, String.format(Locale.ROOT, "{%n  \"a\": %s,%n  \"b\": %s,%n  \"threads\": %d,%n"
            + "  \"rounds\": %d,%n  \"repetitions\": %d,%n  \"rows\": %s%n}%n", Json.quote(first.toString()),
            Json.quote(second.toString()), threads, rounds, repetitions, list), StandardCharsets.UTF_8);
      }
    }
    return 0;
  }
}
