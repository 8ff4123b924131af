package dev.captcha.client;

/**
 * The call was cancelled before it completed, by the caller or the server; immutable and
 * thread-safe.
 */
public final class CancelledException extends CaptchaSolverException {
  private static final long serialVersionUID = 1L;

  /** Creates the error with the status code name, a message for a person and an optional cause. */
  public CancelledException(String statusCode, String message, Throwable cause) {
    super(statusCode, message, cause);
  }
}
