package dev.captcha.training.eval;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
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
 * interrupts less often). Each block is also timed in CPU time of the calling thread, which is
 * where ONNX Runtime runs with one intra-op thread: that rate leaves out the time the core spent on
 * other processes. Stateless and thread-safe.
 */
public final class PairedBench {

  /**
   * One batch size: per model, the median images/s over rounds in wall time and in thread CPU time,
   * the medians over rounds of the per-round ratios second / first, and each model's fastest single
   * run.
   */
  public record Row(
      int batchSize,
      int rounds,
      double firstImagesPerSecond,
      double secondImagesPerSecond,
      double medianRatio,
      double firstCpuImagesPerSecond,
      double secondCpuImagesPerSecond,
      double medianCpuRatio,
      double firstBestMs,
      double secondBestMs) {}

  private record Block(double[] sortedMs, double wallMs, double cpuMs) {}

  private PairedBench() {}

  /**
   * Runs {@code rounds} rounds of {@code repetitions} timed runs per model and batch size, after a
   * warm-up.
   */
  public static List<Row> run(
      OnnxModel first,
      OnnxModel second,
      int[] batchSizes,
      int warmup,
      int rounds,
      int repetitions,
      long seed) {
    if (warmup < 0 || rounds < 1 || repetitions < 1) {
      throw new IllegalArgumentException("need warm-up >= 0, rounds >= 1 and repetitions >= 1");
    }
    if (first.info().input().itemSize() != second.info().input().itemSize()) {
      throw new IllegalArgumentException("the two models take different inputs");
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    boolean cpuTime = threads.isCurrentThreadCpuTimeSupported();
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Row> rows = new ArrayList<>();
    for (int b : batchSizes) {
      if (b < 1) {
        throw new IllegalArgumentException("batch sizes must be >= 1, got " + b);
      }
      float[] input = new float[b * first.info().input().itemSize()];
      for (int i = 0; i < input.length; i++) {
        input[i] = (float) rnd.nextDouble();
      }
      for (int i = 0; i < warmup; i++) {
        first.run(input, b);
        second.run(input, b);
      }
      double[][] wall = new double[3][rounds];
      double[][] cpu = new double[3][rounds];
      double bestA = Double.POSITIVE_INFINITY;
      double bestC = Double.POSITIVE_INFINITY;
      double images = (double) b * repetitions * 1000.0;
      for (int r = 0; r < rounds; r++) {
        Block x;
        Block y;
        if (r % 2 == 0) {
          x = block(first, input, b, repetitions, threads, cpuTime);
          y = block(second, input, b, repetitions, threads, cpuTime);
        } else {
          y = block(second, input, b, repetitions, threads, cpuTime);
          x = block(first, input, b, repetitions, threads, cpuTime);
        }
        wall[0][r] = images / x.wallMs();
        wall[1][r] = images / y.wallMs();
        wall[2][r] = wall[1][r] / wall[0][r];
        cpu[0][r] = cpuTime ? images / x.cpuMs() : Double.NaN;
        cpu[1][r] = cpuTime ? images / y.cpuMs() : Double.NaN;
        cpu[2][r] = cpu[1][r] / cpu[0][r];
        bestA = Math.min(bestA, x.sortedMs()[0]);
        bestC = Math.min(bestC, y.sortedMs()[0]);
      }
      rows.add(
          new Row(
              b,
              rounds,
              LatencyBench.median(wall[0]),
              LatencyBench.median(wall[1]),
              LatencyBench.median(wall[2]),
              LatencyBench.median(cpu[0]),
              LatencyBench.median(cpu[1]),
              LatencyBench.median(cpu[2]),
              bestA,
              bestC));
    }
    return rows;
  }

  private static Block block(
      OnnxModel model, float[] input, int b, int n, ThreadMXBean threads, boolean cpuTime) {
    double[] ms = new double[n];
    long cpu0 = cpuTime ? threads.getCurrentThreadCpuTime() : 0;
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      model.run(input, b);
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    long cpu1 = cpuTime ? threads.getCurrentThreadCpuTime() : 0;
    double wallMs = Arrays.stream(ms).sum();
    Arrays.sort(ms);
    return new Block(ms, wallMs, (cpu1 - cpu0) / 1e6);
  }
}
