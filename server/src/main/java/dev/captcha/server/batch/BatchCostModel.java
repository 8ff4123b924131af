package dev.captcha.server.batch;

/**
 * Online estimate of an engine's batch cost as {@code cost(b) = fixed + b * perItem}, fitted by
 * exponentially weighted least squares over the batches observed. Not thread-safe: the batcher
 * guards it with its lock.
 */
final class BatchCostModel {
  /** Weight kept by past observations at each new one: about the last 200 batches count. */
  private static final double DECAY = 0.995;

  private static final int MIN_OBSERVATIONS = 3;

  private double sw;
  private double sx;
  private double sy;
  private double sxx;
  private double sxy;
  private long observations;

  void record(int batchSize, long nanos) {
    sw = sw * DECAY + 1;
    sx = sx * DECAY + batchSize;
    sy = sy * DECAY + nanos;
    sxx = sxx * DECAY + (double) batchSize * batchSize;
    sxy = sxy * DECAY + (double) batchSize * nanos;
    observations++;
  }

  boolean ready() {
    return observations >= MIN_OBSERVATIONS;
  }

  /** The fitted per-batch launch cost in nanoseconds (>= 0). */
  double fixedNanos() {
    double[] fit = fit();
    return fit[0];
  }

  /** The fitted cost per item in nanoseconds (>= 0). */
  double perItemNanos() {
    double[] fit = fit();
    return fit[1];
  }

  /** The estimated wall time of a batch of {@code batchSize}, in nanoseconds. */
  double estimateNanos(int batchSize) {
    double[] fit = fit();
    return fit[0] + fit[1] * batchSize;
  }

  private double[] fit() {
    if (sw == 0) {
      return new double[] {0, 0};
    }
    double meanX = sx / sw;
    double meanY = sy / sw;
    double varX = sxx / sw - meanX * meanX;
    if (varX < 1e-6) {
      // One batch size only: attribute the whole cost to the items, which over-estimates larger
      // batches rather than under-estimating them.
      return new double[] {0, meanY / Math.max(meanX, 1)};
    }
    double slope = (sxy / sw - meanX * meanY) / varX;
    if (slope < 0) {
      return new double[] {Math.max(meanY, 0), 0};
    }
    double intercept = meanY - slope * meanX;
    if (intercept < 0) {
      return new double[] {0, meanY / Math.max(meanX, 1)};
    }
    return new double[] {intercept, slope};
  }
}
