package dev.captcha.client;

/** The call's deadline passed before the server answered; immutable and thread-safe. */
public final class DeadlineExceededException extends CaptchaSolverException {
  private static final long serialVersionUID = 1L;

  /** Creates the error with the status code name, a message for a person and an optional cause. */
  public DeadlineExceededException(String statusCode, String message, Throwable cause) {
    super(statusCode, message, cause);
  }
}
