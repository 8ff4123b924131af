package dev.captcha.model;

/** A model file that does not follow the model-file contract; the message says what is wrong. */
public final class ModelFormatException extends Exception {
  private static final long serialVersionUID = 1L;

  public ModelFormatException(String message) {
    super(message);
  }
}
