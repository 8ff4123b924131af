package dev.captcha.server.batch;

/**
 * Estimate of an engine's batch cost: an exponentially weighted moving average of the wall time of
 * each batch size seen (warm-up seeds every size, serving keeps them current), and a line {@code
 * cost(b) = fixed + b * perItem} fitted through those averages, one point per size. The fit weighs
 * each point by the inverse square of its cost: timing noise grows with the time measured, and an
 * unweighted fit would let a few percent of noise on the largest batches swamp the fixed cost,
 * which only the small batches show. Not thread-safe: the batcher guards it with its lock.
 */
final class BatchCostModel {
  /** Weight of a new observation in its size's average. */
  private static final double ALPHA = 0.1;

  private static final int MIN_OBSERVATIONS = 3;

  private final double[] average;
  private final boolean[] seen;
  private long observations;
  private boolean stale = true;
  private double fixed;
  private double perItem;

  /** A model for batch sizes 1 to {@code maxBatchSize}; larger sizes are ignored. */
  BatchCostModel(int maxBatchSize) {
    average = new double[maxBatchSize + 1];
    seen = new boolean[maxBatchSize + 1];
  }

  void record(int batchSize, long nanos) {
    if (batchSize < 1 || batchSize >= average.length || nanos < 0) {
      return;
    }
    if (seen[batchSize]) {
      average[batchSize] += ALPHA * (nanos - average[batchSize]);
    } else {
      average[batchSize] = nanos;
      seen[batchSize] = true;
    }
    observations++;
    stale = true;
  }

  boolean ready() {
    return observations >= MIN_OBSERVATIONS;
  }

  /** The fitted per-batch launch cost in nanoseconds (>= 0). */
  double fixedNanos() {
    fit();
    return fixed;
  }

  /** The fitted cost per item in nanoseconds (>= 0). */
  double perItemNanos() {
    fit();
    return perItem;
  }

  /**
   * Whether batching pays on this engine: the fixed cost of a batch is at least the cost of one of
   * its items, so merging requests into one batch saves at least half the time of each merged one.
   * False on a CPU, where a batch costs about its size times one image.
   */
  boolean batchingPays() {
    fit();
    return fixed > 0 && fixed >= perItem;
  }

  /** The estimated wall time of a batch of {@code batchSize}, in nanoseconds. */
  double estimateNanos(int batchSize) {
    fit();
    return fixed + perItem * batchSize;
  }

  private void fit() {
    if (!stale) {
      return;
    }
    stale = false;
    double n = 0;
    double sx = 0;
    double sy = 0;
    double sxx = 0;
    double sxy = 0;
    for (int b = 1; b < average.length; b++) {
      if (seen[b]) {
        double y = average[b];
        double w = y > 0 ? 1 / (y * y) : 1;
        n += w;
        sx += w * b;
        sy += w * y;
        sxx += w * b * b;
        sxy += w * b * y;
      }
    }
    if (n == 0) {
      fixed = 0;
      perItem = 0;
      return;
    }
    double meanX = sx / n;
    double meanY = sy / n;
    double varX = sxx / n - meanX * meanX;
    if (varX < 1e-9) {
      // One batch size only: attribute the whole cost to the items, which over-estimates larger
      // batches rather than under-estimating them, and never suggests waiting for companions.
      fixed = 0;
      perItem = meanY / meanX;
      return;
    }
    double slope = (sxy / n - meanX * meanY) / varX;
    if (slope < 0) {
      fixed = Math.max(meanY, 0);
      perItem = 0;
      return;
    }
    double intercept = meanY - slope * meanX;
    if (intercept < 0) {
      fixed = 0;
      perItem = meanY / meanX;
      return;
    }
    fixed = intercept;
    perItem = slope;
  }
}
