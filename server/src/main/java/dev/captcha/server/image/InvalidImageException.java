package dev.captcha.server.image;

/** An image the server cannot use; the message says why. Immutable. */
public final class InvalidImageException extends Exception {
  private static final long serialVersionUID = 1L;

  /** What is wrong with the image. */
  public enum Reason {
    /** No bytes at all. */
    EMPTY,
    /** More bytes than the server accepts. */
    OVERSIZED,
    /** Not a PNG, JPEG, GIF or BMP image, or corrupt. */
    UNDECODABLE,
    /** Width or height out of range. */
    ABSURD_DIMENSIONS
  }

  private final Reason reason;

  public InvalidImageException(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public InvalidImageException(Reason reason, String message, Throwable cause) {
    super(message, cause, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
