package dev.captcha.server.http;

import dev.captcha.server.batch.DeadlineExpiredException;
import dev.captcha.server.batch.InferenceException;
import dev.captcha.server.batch.RejectedException;
import dev.captcha.server.image.InvalidImageException;
import dev.captcha.server.solve.UnknownModelException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * An error answer of the HTTP adapter: its status, a stable code, a message, and a retry hint for
 * 429; the one mapping from failures to HTTP statuses (design.md's table). Immutable.
 *
 * @param retryAfterMillis for 429, how long to wait before retrying; 0 otherwise
 */
record HttpFailure(int status, String code, String message, long retryAfterMillis) {

  static HttpFailure of(int status, String code, String message) {
    return new HttpFailure(status, code, message, 0);
  }

  static HttpFailure badRequest(String message) {
    return of(400, "bad_request", message);
  }

  /** The answer for a failure of the solver (or of reading a request). */
  static HttpFailure from(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof HttpFailureException e) {
      return e.failure();
    }
    if (t instanceof InvalidImageException e) {
      return switch (e.reason()) {
        case OVERSIZED ->
            of(413, "image_too_large", "invalid image (oversized): " + e.getMessage());
        case EMPTY -> of(400, "invalid_image", "invalid image (empty): " + e.getMessage());
        case UNDECODABLE ->
            of(400, "invalid_image", "invalid image (undecodable): " + e.getMessage());
        case ABSURD_DIMENSIONS ->
            of(400, "invalid_image", "invalid image (absurd dimensions): " + e.getMessage());
      };
    }
    if (t instanceof RejectedException e) {
      if (e.reason() == RejectedException.Reason.QUEUE_FULL) {
        return new HttpFailure(
            429, "queue_full", e.getMessage(), Math.max(1, e.retryAfterNanos() / 1_000_000L));
      }
      return of(503, "draining", e.getMessage());
    }
    if (t instanceof UnknownModelException e) {
      return of(404, "unknown_model", e.getMessage());
    }
    if (t instanceof DeadlineExpiredException e) {
      return of(504, "deadline_exceeded", e.getMessage());
    }
    if (t instanceof InferenceException e) {
      return of(500, "internal", e.getMessage());
    }
    if (t instanceof CancellationException) {
      return of(499, "cancelled", "request cancelled");
    }
    return of(500, "internal", "internal error: " + t);
  }

  /** The Retry-After header's value: whole seconds, at least 1. */
  String retryAfterSeconds() {
    return Long.toString(Math.max(1, (retryAfterMillis + 999) / 1000));
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** Carries an {@link HttpFailure} through a future. */
  static final class HttpFailureException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient HttpFailure failure;

    HttpFailureException(HttpFailure failure) {
      super(failure.message(), null, false, false);
      this.failure = failure;
    }

    HttpFailure failure() {
      return failure;
    }
  }
}
