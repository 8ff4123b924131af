package dev.captcha.client;

/**
 * Base of the errors the client reports: what went wrong with a call or with one item of a batch;
 * immutable and thread-safe.
 */
public class CaptchaSolverException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String statusCode;

  /**
   * Creates an error.
   *
   * @param statusCode the canonical gRPC status code name behind it (for example {@code
   *     "UNAVAILABLE"}), or {@code "CLIENT"} for an error raised before anything was sent
   * @param message what went wrong, for a person
   * @param cause the underlying error, may be null
   */
  public CaptchaSolverException(String statusCode, String message, Throwable cause) {
    super(message, cause);
    this.statusCode = statusCode;
  }

  /** The canonical gRPC status code name behind this error, or {@code "CLIENT"}. */
  public String statusCode() {
    return statusCode;
  }
}
