package dev.captcha.training.eval;

import ai.onnxruntime.OrtException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Compares the inference speed of two model files side by side: in each round, per batch size, a
 * block of timed runs of one and then of the other (the order swapping every round), so that the
 * load of a shared machine falls on both alike; the figures are medians over rounds. A round's rate
 * is the block's images over the block's total run time, so a core shared with other work counts
 * alike for short and long runs (a per-run median favours the shorter runs, which a time slice
 * interrupts less often). Stateless and thread-safe.
 */
public final class PairedBench {

  /**
   * One batch size: each model's median images/s over rounds, the median over rounds of the
   * per-round ratio second / first, and each model's fastest single run.
   */
  public record Row(int batchSize, int rounds, double firstImagesPerSecond, double secondImagesPerSecond,
      double medianRatio, double firstBestMs, double secondBestMs) {}

  private PairedBench() {}

  /** Runs {@code rounds} rounds of {@code repetitions} timed runs per model and batch size, after a warm-up. */
  public static List<Row> run(OnnxModel first, OnnxModel second, int[] batchSizes, int warmup, int rounds,
      int repetitions, long seed) throws OrtException {
    if (warmup < 0 || rounds < 1 || repetitions < 1) {
      throw new IllegalArgumentException("need warm-up >= 0, rounds >= 1 and repetitions >= 1");
    }
    if (first.info().inputSize() != second.info().inputSize()) {
      throw new IllegalArgumentException("the two models take different inputs");
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Row> rows = new ArrayList<>();
    for (int b : batchSizes) {
      if (b < 1) {
        throw new IllegalArgumentException("batch sizes must be >= 1, got " + b);
      }
      float[] input = new float[b * first.info().inputSize()];
      for (int i = 0; i < input.length; i++) {
        input[i] = (float) rnd.nextDouble();
      }
      for (int i = 0; i < warmup; i++) {
        first.run(input, b);
        second.run(input, b);
      }
      double[] a = new double[rounds];
      double[] c = new double[rounds];
      double[] ratio = new double[rounds];
      double bestA = Double.POSITIVE_INFINITY;
      double bestC = Double.POSITIVE_INFINITY;
      for (int r = 0; r < rounds; r++) {
        double[] msA;
        double[] msC;
        if (r % 2 == 0) {
          msA = block(first, input, b, repetitions);
          msC = block(second, input, b, repetitions);
        } else {
          msC = block(second, input, b, repetitions);
          msA = block(first, input, b, repetitions);
        }
        a[r] = (double) b * repetitions * 1000.0 / Arrays.stream(msA).sum();
        c[r] = (double) b * repetitions * 1000.0 / Arrays.stream(msC).sum();
        ratio[r] = c[r] / a[r];
        bestA = Math.min(bestA, msA[0]);
        bestC = Math.min(bestC, msC[0]);
      }
      Arrays.sort(a);
      Arrays.sort(c);
      Arrays.sort(ratio);
      rows.add(new Row(b, rounds, LatencyBench.percentile(a, 0.5), LatencyBench.percentile(c, 0.5),
          LatencyBench.percentile(ratio, 0.5), bestA, bestC));
    }
    return rows;
  }

  /** Sorted milliseconds of {@code n} runs. */
  private static double[] block(OnnxModel model, float[] input, int b, int n) throws OrtException {
    double[] ms = new double[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      model.run(input, b);
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(ms);
    return ms;
  }
}
