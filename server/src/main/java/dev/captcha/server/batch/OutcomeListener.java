package dev.captcha.server.batch;

/**
 * Hears what becomes of each request, at the point where it happens: in the batcher (queued,
 * refused, dropped as expired, failed or answered by its batch) and in the solver in front of it
 * (refused or expired before decoding). Implementations must be thread-safe and quick: they run on
 * the callers' threads and on the batch threads.
 */
public interface OutcomeListener {
  /** Hears nothing. */
  OutcomeListener NONE = new OutcomeListener() {};

  /** A request entered the queue. */
  default void admitted() {}

  /** A request was refused by admission control. */
  default void rejected(RejectedException.Reason reason) {}

  /** A request's deadline passed before inference; it was not computed. */
  default void expired() {}

  /** A request's batch failed in the engine. */
  default void failed() {}

  /**
   * A request was answered with its output.
   *
   * @param queueNanos from its arrival at the batcher to the start of its batch
   */
  default void answered(long queueNanos) {}
}
