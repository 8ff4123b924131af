package dev.captcha.server.engine;

/** The inference engine could not be set up; the message says why. Immutable. */
public final class EngineException extends Exception {
  private static final long serialVersionUID = 1L;

  EngineException(String message, Throwable cause) {
    super(message, cause);
  }
}
