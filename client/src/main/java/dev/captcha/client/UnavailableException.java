package dev.captcha.client;

/**
 * No server could be reached, or the server is draining for shutdown; retrying later or elsewhere
 * may work; immutable and thread-safe.
 */
public final class UnavailableException extends CaptchaSolverException {
  private static final long serialVersionUID = 1L;

  /** Creates the error with the status code name, a message for a person and an optional cause. */
  public UnavailableException(String statusCode, String message, Throwable cause) {
    super(statusCode, message, cause);
  }
}
