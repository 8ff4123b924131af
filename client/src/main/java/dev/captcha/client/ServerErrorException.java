package dev.captcha.client;

/**
 * The server failed to process the request (for example an inference failure) or broke the
 * protocol; immutable and thread-safe.
 */
public final class ServerErrorException extends CaptchaSolverException {
  private static final long serialVersionUID = 1L;

  /** Creates the error with the status code name, a message for a person and an optional cause. */
  public ServerErrorException(String statusCode, String message, Throwable cause) {
    super(statusCode, message, cause);
  }
}
