package dev.captcha.server.batch;

/** The engine failed on the batch a request ran in; immutable. */
public final class InferenceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  InferenceException(String message, Throwable cause) {
    super(message, cause);
  }
}
