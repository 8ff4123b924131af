package dev.captcha.client;

/**
 * The server refused the call's credentials (missing, wrong or not permitted bearer token or client
 * certificate); immutable and thread-safe.
 */
public final class AuthenticationException extends CaptchaSolverException {
  private static final long serialVersionUID = 1L;

  /** Creates the error with the status code name, a message for a person and an optional cause. */
  public AuthenticationException(String statusCode, String message, Throwable cause) {
    super(statusCode, message, cause);
  }
}
