package dev.captcha.server.batch;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The micro-batcher's validated configuration; immutable and thread-safe.
 *
 * @param maxBatchSize largest batch sent to an engine instance
 * @param maxQueueDelay longest a request waits, from its arrival, for its batch to fill (fixed
 *     mode; the bound of any hold in work-conserving mode and in latency-budget mode before the
 *     batch cost is known)
 * @param preferredBatchSizes sizes dispatched at once when the queue holds that many, ascending
 * @param instances engine instances running batches in parallel
 * @param maxQueueLength most requests waiting; beyond it requests are rejected at once
 * @param defaultTimeout deadline given to requests that carry none
 * @param mode how the wait is chosen
 * @param latencyBudget the end-to-end target of latency-budget mode
 * @param inlineDispatch whether a request that finds an instance idle, on an engine where batching
 *     does not pay (a CPU), runs its batch on the thread that submitted it instead of being handed
 *     to a batch thread: one thread hand-off less for a request that waits for nobody
 */
public record BatcherSettings(
    int maxBatchSize,
    Duration maxQueueDelay,
    List<Integer> preferredBatchSizes,
    int instances,
    int maxQueueLength,
    Duration defaultTimeout,
    BatchingMode mode,
    Duration latencyBudget,
    boolean inlineDispatch) {

  /** Validates every field. */
  public BatcherSettings {
    if (maxBatchSize < 1) {
      throw new IllegalArgumentException("max batch size must be >= 1, got " + maxBatchSize);
    }
    requirePositiveOrZero("max queue delay", maxQueueDelay);
    Objects.requireNonNull(preferredBatchSizes, "preferredBatchSizes");
    TreeSet<Integer> sorted = new TreeSet<>();
    for (Integer size : preferredBatchSizes) {
      if (size == null || size < 1 || size > maxBatchSize) {
        throw new IllegalArgumentException(
            "preferred batch size " + size + " is outside 1.." + maxBatchSize);
      }
      sorted.add(size);
    }
    preferredBatchSizes = List.copyOf(sorted);
    if (instances < 1) {
      throw new IllegalArgumentException("instances must be >= 1, got " + instances);
    }
    if (maxQueueLength < 1) {
      throw new IllegalArgumentException("max queue length must be >= 1, got " + maxQueueLength);
    }
    requirePositive("default timeout", defaultTimeout);
    Objects.requireNonNull(mode, "mode");
    requirePositive("latency budget", latencyBudget);
  }

  /** Settings with the defaults of the command line, to be adjusted with the wither methods. */
  public static BatcherSettings defaults() {
    return new BatcherSettings(
        32,
        Duration.ofMillis(5),
        List.of(),
        1,
        1024,
        Duration.ofSeconds(10),
        BatchingMode.WORK_CONSERVING,
        Duration.ofMillis(50),
        true);
  }

  public BatcherSettings withMaxBatchSize(int v) {
    return new BatcherSettings(
        v,
        maxQueueDelay,
        preferredBatchSizes,
        instances,
        maxQueueLength,
        defaultTimeout,
        mode,
        latencyBudget,
        inlineDispatch);
  }

  public BatcherSettings withMaxQueueDelay(Duration v) {
    return new BatcherSettings(
        maxBatchSize,
        v,
        preferredBatchSizes,
        instances,
        maxQueueLength,
        defaultTimeout,
        mode,
        latencyBudget,
        inlineDispatch);
  }

  public BatcherSettings withPreferredBatchSizes(List<Integer> v) {
    return new BatcherSettings(
        maxBatchSize,
        maxQueueDelay,
        v,
        instances,
        maxQueueLength,
        defaultTimeout,
        mode,
        latencyBudget,
        inlineDispatch);
  }

  public BatcherSettings withInstances(int v) {
    return new BatcherSettings(
        maxBatchSize,
        maxQueueDelay,
        preferredBatchSizes,
        v,
        maxQueueLength,
        defaultTimeout,
        mode,
        latencyBudget,
        inlineDispatch);
  }

  public BatcherSettings withMaxQueueLength(int v) {
    return new BatcherSettings(
        maxBatchSize,
        maxQueueDelay,
        preferredBatchSizes,
        instances,
        v,
        defaultTimeout,
        mode,
        latencyBudget,
        inlineDispatch);
  }

  public BatcherSettings withDefaultTimeout(Duration v) {
    return new BatcherSettings(
        maxBatchSize,
        maxQueueDelay,
        preferredBatchSizes,
        instances,
        maxQueueLength,
        v,
        mode,
        latencyBudget,
        inlineDispatch);
  }

  public BatcherSettings withMode(BatchingMode v) {
    return new BatcherSettings(
        maxBatchSize,
        maxQueueDelay,
        preferredBatchSizes,
        instances,
        maxQueueLength,
        defaultTimeout,
        v,
        latencyBudget,
        inlineDispatch);
  }

  public BatcherSettings withLatencyBudget(Duration v) {
    return new BatcherSettings(
        maxBatchSize,
        maxQueueDelay,
        preferredBatchSizes,
        instances,
        maxQueueLength,
        defaultTimeout,
        mode,
        v,
        inlineDispatch);
  }

  public BatcherSettings withInlineDispatch(boolean v) {
    return new BatcherSettings(
        maxBatchSize,
        maxQueueDelay,
        preferredBatchSizes,
        instances,
        maxQueueLength,
        defaultTimeout,
        mode,
        latencyBudget,
        v);
  }

  private static void requirePositive(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
  }

  private static void requirePositiveOrZero(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative, got " + d);
    }
  }
}
