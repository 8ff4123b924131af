package dev.captcha.server.batch;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Consumer;

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

  // Copies with one field changed, validated like any settings.

  public BatcherSettings withMaxBatchSize(int v) {
    return edit(b -> b.maxBatchSize = v);
  }

  public BatcherSettings withMaxQueueDelay(Duration v) {
    return edit(b -> b.maxQueueDelay = v);
  }

  public BatcherSettings withPreferredBatchSizes(List<Integer> v) {
    return edit(b -> b.preferredBatchSizes = v);
  }

  public BatcherSettings withInstances(int v) {
    return edit(b -> b.instances = v);
  }

  public BatcherSettings withMaxQueueLength(int v) {
    return edit(b -> b.maxQueueLength = v);
  }

  public BatcherSettings withDefaultTimeout(Duration v) {
    return edit(b -> b.defaultTimeout = v);
  }

  public BatcherSettings withMode(BatchingMode v) {
    return edit(b -> b.mode = v);
  }

  public BatcherSettings withLatencyBudget(Duration v) {
    return edit(b -> b.latencyBudget = v);
  }

  public BatcherSettings withInlineDispatch(boolean v) {
    return edit(b -> b.inlineDispatch = v);
  }

  /** A copy with the changes {@code change} makes to a mutable copy of the fields, validated. */
  private BatcherSettings edit(Consumer<Fields> change) {
    Fields b = new Fields(this);
    change.accept(b);
    return b.build();
  }

  /** The fields of settings being changed; not thread-safe, never escapes {@link #edit}. */
  private static final class Fields {
    int maxBatchSize;
    Duration maxQueueDelay;
    List<Integer> preferredBatchSizes;
    int instances;
    int maxQueueLength;
    Duration defaultTimeout;
    BatchingMode mode;
    Duration latencyBudget;
    boolean inlineDispatch;

    Fields(BatcherSettings s) {
      maxBatchSize = s.maxBatchSize;
      maxQueueDelay = s.maxQueueDelay;
      preferredBatchSizes = s.preferredBatchSizes;
      instances = s.instances;
      maxQueueLength = s.maxQueueLength;
      defaultTimeout = s.defaultTimeout;
      mode = s.mode;
      latencyBudget = s.latencyBudget;
      inlineDispatch = s.inlineDispatch;
    }

    BatcherSettings build() {
      return new BatcherSettings(
          maxBatchSize,
          maxQueueDelay,
          preferredBatchSizes,
          instances,
          maxQueueLength,
          defaultTimeout,
          mode,
          latencyBudget,
          inlineDispatch);
    }
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
