package dev.captcha.client;

/**
 * The server does not serve the model a request named (status NOT_FOUND); its message names the
 * models it serves. Immutable and thread-safe.
 */
public final class UnknownModelException extends CaptchaSolverException {
  private static final long serialVersionUID = 1L;

  /** Creates the error with the status code name, a message for a person and an optional cause. */
  public UnknownModelException(String statusCode, String message, Throwable cause) {
    super(statusCode, message, cause);
  }
}
