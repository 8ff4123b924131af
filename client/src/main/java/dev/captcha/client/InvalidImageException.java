package dev.captcha.client;

/**
 * The image was refused: empty, undecodable, oversized or of absurd dimensions, or it could not be
 * read locally; immutable and thread-safe.
 */
public final class InvalidImageException extends CaptchaSolverException {
  private static final long serialVersionUID = 1L;

  /** Creates the error with the status code name, a message for a person and an optional cause. */
  public InvalidImageException(String statusCode, String message, Throwable cause) {
    super(statusCode, message, cause);
  }
}
