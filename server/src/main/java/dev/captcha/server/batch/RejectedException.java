package dev.captcha.server.batch;

/** A request the batcher refused to accept; immutable. */
public final class RejectedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why a request was refused. */
  public enum Reason {
    /** The queue holds max queue length requests. */
    QUEUE_FULL,
    /** The batcher is closing and accepts nothing new. */
    SHUTTING_DOWN
  }

  private final Reason reason;
  private final long retryAfterNanos;

  /**
   * @param retryAfterNanos a hint for when to retry, or 0 for none
   */
  public RejectedException(Reason reason, String message, long retryAfterNanos) {
    super(message, null, false, false);
    this.reason = reason;
    this.retryAfterNanos = retryAfterNanos;
  }

  public Reason reason() {
    return reason;
  }

  /** A hint for how long a client should wait before retrying, in nanoseconds. */
  public long retryAfterNanos() {
    return retryAfterNanos;
  }
}
