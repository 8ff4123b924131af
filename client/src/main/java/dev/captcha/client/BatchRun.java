package dev.captcha.client;

/**
 * One batch of images on its way through SolveStream, as its consumer sees it: started once, told
 * which outcomes the consumer has taken (freeing their window slots), and abortable.
 * Implementations are thread-safe.
 */
interface BatchRun {
  /** Starts sending; outcomes, then the summary or the failure, go to {@code sink}. */
  void start(StreamBatch.Sink sink);

  /** The consumer has taken {@code outcome}: its window slot frees up. */
  void released(SolveOutcome outcome);

  /** Stops the batch: cancels its streams and fails the sink with {@code reason}. */
  void abort(RuntimeException reason);
}
