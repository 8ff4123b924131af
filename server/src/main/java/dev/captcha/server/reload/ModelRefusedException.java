package dev.captcha.server.reload;

/** A model file was not taken into service; the model in force keeps serving. Immutable. */
public final class ModelRefusedException extends Exception {
  private static final long serialVersionUID = 1L;

  ModelRefusedException(String message, Throwable cause) {
    super(message, cause);
  }
}
