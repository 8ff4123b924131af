package dev.captcha.training.eval;

import ai.onnxruntime.OrtException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Measures ONNX Runtime inference time per batch for several batch sizes: warm-up runs, then the
 * median and 90th percentile over timed repetitions; stateless and thread-safe.
 */
public final class LatencyBench {

  /** Timings of one batch size, in milliseconds. */
  public record Row(int batchSize, int repetitions, double medianMs, double p90Ms, double minMs) {
    /** Median milliseconds per image. */
    public double medianMsPerImage() {
      return medianMs / batchSize;
    }

    /** Images per second at the median. */
    public double imagesPerSecond() {
      return batchSize * 1000.0 / medianMs;
    }
  }

  private LatencyBench() {}

  /** Times {@code model} on random inputs of each batch size. */
  public static List<Row> run(OnnxModel model, int[] batchSizes, int warmup, int repetitions, long seed)
      throws OrtException {
    if (warmup < 0 || repetitions < 1) {
      throw new IllegalArgumentException("need warm-up >= 0 and repetitions >= 1");
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Row> rows = new ArrayList<>();
    for (int b : batchSizes) {
      if (b < 1) {
        throw new IllegalArgumentException("batch sizes must be >= 1, got " + b);
      }
      float[] input = new float[b * model.info().inputSize()];
      for (int i = 0; i < input.length; i++) {
        input[i] = (float) rnd.nextDouble();
      }
      for (int i = 0; i < warmup; i++) {
        model.run(input, b);
      }
      double[] ms = new double[repetitions];
      for (int i = 0; i < repetitions; i++) {
        long t0 = System.nanoTime();
        model.run(input, b);
        ms[i] = (System.nanoTime() - t0) / 1e6;
      }
      Arrays.sort(ms);
      rows.add(new Row(b, repetitions, percentile(ms, 0.5), percentile(ms, 0.9), ms[0]));
    }
    return rows;
  }

  /** The {@code q} quantile of sorted values (nearest rank, the median of two middles for 0.5). */
  static double percentile(double[] sorted, double q) {
    if (q == 0.5 && sorted.length % 2 == 0) {
      return (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
