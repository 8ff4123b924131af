package dev.captcha.client;

import java.time.Duration;
import java.util.Optional;

/**
 * The server's queue was full (admission control) even after the configured retries; immutable and
 * thread-safe.
 */
public final class OverloadedException extends CaptchaSolverException {
  private static final long serialVersionUID = 1L;

  private final Duration retryAfter;

  /** Creates the error; {@code retryAfter} is the server's hint, or null when it gave none. */
  public OverloadedException(
      String statusCode, String message, Throwable cause, Duration retryAfter) {
    super(statusCode, message, cause);
    this.retryAfter = retryAfter;
  }

  /** How long the server suggested waiting before trying again, when it said. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
