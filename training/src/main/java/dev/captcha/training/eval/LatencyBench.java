package dev.captcha.training.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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

  /**
   * Timings of one batch size with several sessions run at once, each on its own thread.
   *
   * @param latency the per-batch timings over every session's repetitions
   * @param imagesPerSecond images finished by all sessions together per second of wall time
   */
  public record ConcurrentRow(Row latency, double imagesPerSecond) {}

  private LatencyBench() {}

  /**
   * Times {@code models} (one session each, all of the same file) running at once, each from its
   * own thread on its own random input, {@code repetitions} batches each after {@code warmup}.
   */
  public static List<ConcurrentRow> runConcurrent(
      List<OnnxModel> models, int[] batchSizes, int warmup, int repetitions, long seed)
      throws InterruptedException {
    if (warmup < 0 || repetitions < 1 || models.isEmpty()) {
      throw new IllegalArgumentException("need warm-up >= 0, repetitions >= 1 and a session");
    }
    int n = models.size();
    List<ConcurrentRow> rows = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      for (int b : batchSizes) {
        if (b < 1) {
          throw new IllegalArgumentException("batch sizes must be >= 1, got " + b);
        }
        double[][] ms = new double[n][repetitions];
        CyclicBarrier start = new CyclicBarrier(n);
        List<Future<long[]>> spans = new ArrayList<>();
        for (int m = 0; m < n; m++) {
          OnnxModel model = models.get(m);
          double[] mine = ms[m];
          float[] input = randomInput(b * model.info().input().itemSize(), seed + m);
          spans.add(
              pool.submit(
                  () -> {
                    for (int i = 0; i < warmup; i++) {
                      model.run(input, b);
                    }
                    start.await(); // the timed phases overlap
                    long begin = System.nanoTime();
                    for (int i = 0; i < repetitions; i++) {
                      long t0 = System.nanoTime();
                      model.run(input, b);
                      mine[i] = (System.nanoTime() - t0) / 1e6;
                    }
                    return new long[] {begin, System.nanoTime()};
                  }));
        }
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (Future<long[]> span : spans) {
          long[] t;
          try {
            t = span.get();
          } catch (ExecutionException e) {
            if (e.getCause() instanceof InferenceException inference) {
              throw inference;
            }
            throw new IllegalStateException("benchmark thread failed", e.getCause());
          }
          first = Math.min(first, t[0]);
          last = Math.max(last, t[1]);
        }
        double[] all = Arrays.stream(ms).flatMapToDouble(Arrays::stream).sorted().toArray();
        Row latency = new Row(b, repetitions, percentile(all, 0.5), percentile(all, 0.9), all[0]);
        double seconds = (last - first) / 1e9;
        rows.add(new ConcurrentRow(latency, (double) n * repetitions * b / seconds));
      }
    } finally {
      pool.shutdownNow();
    }
    return rows;
  }

  private static float[] randomInput(int size, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] input = new float[size];
    for (int i = 0; i < size; i++) {
      input[i] = (float) rnd.nextDouble();
    }
    return input;
  }

  /** Times {@code model} on random inputs of each batch size. */
  public static List<Row> run(
      OnnxModel model, int[] batchSizes, int warmup, int repetitions, long seed) {
    if (warmup < 0 || repetitions < 1) {
      throw new IllegalArgumentException("need warm-up >= 0 and repetitions >= 1");
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Row> rows = new ArrayList<>();
    for (int b : batchSizes) {
      if (b < 1) {
        throw new IllegalArgumentException("batch sizes must be >= 1, got " + b);
      }
      float[] input = randomInput(b * model.info().input().itemSize(), rnd.nextLong());
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

  /** The median of {@code values} (in any order; the mean of the two middles for an even count). */
  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return percentile(sorted, 0.5);
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
