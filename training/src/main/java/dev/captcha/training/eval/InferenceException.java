package dev.captcha.training.eval;

/**
 * ONNX Runtime failed to load or run a model; the message and cause say why. Thrown by {@link
 * OnnxModel}, so that ONNX Runtime's own exception type stays inside it.
 */
public final class InferenceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  InferenceException(String message, Throwable cause) {
    super(message, cause);
  }
}
