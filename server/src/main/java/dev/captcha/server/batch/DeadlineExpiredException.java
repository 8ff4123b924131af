package dev.captcha.server.batch;

/** A request whose deadline passed before its batch ran; it was not computed. Immutable. */
public final class DeadlineExpiredException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DeadlineExpiredException(String message) {
    super(message, null, false, false);
  }
}
