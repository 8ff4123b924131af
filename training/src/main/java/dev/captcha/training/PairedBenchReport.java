package dev.captcha.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.captcha.training.eval.OnnxModel;
import dev.captcha.training.eval.PairedBench;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Prints (and writes as JSON) a side-by-side speed comparison of two model files for the bench
 * command.
 */
final class PairedBenchReport {

  private PairedBenchReport() {}

  static int print(
      Path first,
      Path second,
      int[] batchSizes,
      int threads,
      int warmup,
      int rounds,
      int repetitions,
      Path json)
      throws Exception {
    try (OnnxModel a = OnnxModel.load(first, threads);
        OnnxModel b = OnnxModel.load(second, threads)) {
      List<PairedBench.Row> rows =
          PairedBench.run(a, b, batchSizes, warmup, rounds, repetitions, 1);
      String pa = a.info().precision();
      String pb = b.info().precision();
      System.out.printf(
          Locale.ROOT,
          "A = %s (%s), B = %s (%s): %d intra-op thread(s), %d rounds of %d runs each,"
              + " order alternating; medians over rounds%n",
          first,
          pa,
          second,
          pb,
          threads,
          rounds,
          repetitions);
      System.out.printf(
          Locale.ROOT,
          "%6s %12s %12s %8s | %12s %12s %8s | %10s %10s%n",
          "batch",
          "A images/s",
          "B images/s",
          "B/A",
          "A img/cpu-s",
          "B img/cpu-s",
          "B/A",
          "A best ms",
          "B best ms");
      for (PairedBench.Row r : rows) {
        System.out.printf(
            Locale.ROOT,
            "%6d %12.0f %12.0f %7.2fx | %12.0f %12.0f %7.2fx | %10.3f %10.3f%n",
            r.batchSize(),
            r.firstImagesPerSecond(),
            r.secondImagesPerSecond(),
            r.medianRatio(),
            r.firstCpuImagesPerSecond(),
            r.secondCpuImagesPerSecond(),
            r.medianCpuRatio(),
            r.firstBestMs(),
            r.secondBestMs());
      }
      System.out.println(
          "images/s: wall time of each round's block; img/cpu-s: the same runs in CPU time of the"
              + " calling thread (ONNX Runtime's with one intra-op thread), leaving out time the core gave to other processes");
      if (json != null) {
        ObjectNode report = Json.object();
        report.put("a", first.toString());
        report.put("b", second.toString());
        report.put("threads", threads);
        report.put("rounds", rounds);
        report.put("repetitions", repetitions);
        ArrayNode list = report.putArray("rows");
        for (PairedBench.Row r : rows) {
          ObjectNode row = list.addObject();
          row.put("batch_size", r.batchSize());
          row.set("a_images_per_second", number(r.firstImagesPerSecond(), 1));
          row.set("b_images_per_second", number(r.secondImagesPerSecond(), 1));
          row.set("median_ratio", number(r.medianRatio(), 3));
          row.set("a_cpu_images_per_second", number(r.firstCpuImagesPerSecond(), 1));
          row.set("b_cpu_images_per_second", number(r.secondCpuImagesPerSecond(), 1));
          row.set("median_cpu_ratio", number(r.medianCpuRatio(), 3));
          row.set("a_best_ms", number(r.firstBestMs(), 4));
          row.set("b_best_ms", number(r.secondBestMs(), 4));
        }
        Json.write(json, report);
      }
    }
    return 0;
  }

  /** {@code value} rounded to {@code decimals} places, or null where it is not a number. */
  private static JsonNode number(double value, int decimals) {
    return Double.isFinite(value)
        ? DecimalNode.valueOf(Json.rounded(value, decimals))
        : NullNode.getInstance();
  }
}
