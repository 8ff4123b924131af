package dev.captcha.server;

import dev.captcha.server.batch.BatcherSettings;
import dev.captcha.server.batch.BatchingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The options of {@link BatcherSettings}; defaults from {@link BatcherSettings#defaults()}. */
final class BatcherGroup {
  private static final BatcherSettings DEFAULTS = BatcherSettings.defaults();

  @Option(
      names = "--max-batch-size",
      description = "Largest inference batch (CAPTCHA_MAX_BATCH_SIZE, default ${DEFAULT-VALUE}).")
  int maxBatchSize = DEFAULTS.maxBatchSize();

  @Option(
      names = "--max-queue-delay",
      description =
          "Longest a request waits, from its arrival, for its batch to fill (fixed"
              + " mode) or is held for a fuller batch (work-conserving mode)"
              + " (CAPTCHA_MAX_QUEUE_DELAY, default ${DEFAULT-VALUE}).")
  Duration maxQueueDelay = DEFAULTS.maxQueueDelay();

  @Option(
      names = "--preferred-batch-sizes",
      paramLabel = "<sizes>",
      description =
          "Comma-separated batch sizes dispatched at once when that many are queued,"
              + " or none (CAPTCHA_PREFERRED_BATCH_SIZES, default ${DEFAULT-VALUE}).")
  String preferredBatchSizes = format(DEFAULTS.preferredBatchSizes());

  @Option(
      names = "--instances",
      description =
          "Model instances running batches in parallel (CAPTCHA_INSTANCES,"
              + " default ${DEFAULT-VALUE}).")
  int instances = DEFAULTS.instances();

  @Option(
      names = "--max-queue-length",
      description =
          "Most requests waiting; beyond it requests get RESOURCE_EXHAUSTED"
              + " (CAPTCHA_MAX_QUEUE_LENGTH, default ${DEFAULT-VALUE}).")
  int maxQueueLength = DEFAULTS.maxQueueLength();

  @Option(
      names = "--default-timeout",
      description =
          "Deadline of calls (and stream items) that carry none"
              + " (CAPTCHA_DEFAULT_TIMEOUT, default ${DEFAULT-VALUE}).")
  Duration defaultTimeout = DEFAULTS.defaultTimeout();

  @Option(
      names = "--batching-mode",
      description =
          "work-conserving (a free instance takes what is queued at once; it holds"
              + " for a fuller batch only where the measured batch cost says that raises throughput,"
              + " at most --max-queue-delay), fixed (wait for a full batch up to --max-queue-delay)"
              + " or latency-budget (work-conserving, holds bounded by --latency-budget)"
              + " (CAPTCHA_BATCHING_MODE, default ${DEFAULT-VALUE}).")
  String batchingMode = DEFAULTS.mode().label();

  @Option(
      names = "--latency-budget",
      description =
          "End-to-end target of latency-budget mode (CAPTCHA_LATENCY_BUDGET,"
              + " default ${DEFAULT-VALUE}).")
  Duration latencyBudget = DEFAULTS.latencyBudget();

  @Option(
      names = "--inline-dispatch",
      negatable = true,
      fallbackValue = "true",
      description =
          "On an engine where batching does not pay (a CPU), a request that finds an instance idle"
              + " runs on the thread that decoded it, without a hand-off to a batch thread;"
              + " --no-inline-dispatch hands every batch over (CAPTCHA_INLINE_DISPATCH, default"
              + " ${DEFAULT-VALUE}).")
  boolean inlineDispatch = true;

  /**
   * The settings these options describe.
   *
   * @throws IllegalArgumentException naming the invalid option
   */
  BatcherSettings settings() {
    return new BatcherSettings(
        maxBatchSize,
        maxQueueDelay,
        parseSizes(preferredBatchSizes),
        instances,
        maxQueueLength,
        defaultTimeout,
        BatchingMode.parse(batchingMode),
        latencyBudget,
        inlineDispatch);
  }

  private static String format(List<Integer> sizes) {
    return sizes.isEmpty()
        ? "none"
        : String.join(",", sizes.stream().map(String::valueOf).toList());
  }

  private static List<Integer> parseSizes(String list) {
    List<Integer> sizes = new ArrayList<>();
    if (list == null || list.isBlank() || list.trim().equalsIgnoreCase("none")) {
      return sizes;
    }
    for (String part : list.split(",")) {
      if (!part.isBlank()) {
        try {
          sizes.add(Integer.parseInt(part.trim()));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "--preferred-batch-sizes: '" + part + "' is not a number");
        }
      }
    }
    return sizes;
  }
}
