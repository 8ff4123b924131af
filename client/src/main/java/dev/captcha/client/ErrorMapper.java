package dev.captcha.client;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;

/** Turns gRPC statuses into the client's typed exceptions; immutable and thread-safe. */
final class ErrorMapper {

  /** The trailer by which a server may say how long to wait before a retry (gRFC A6). */
  static final Metadata.Key<String> RETRY_PUSHBACK =
      Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);

  private final String target;

  ErrorMapper(String target) {
    this.target = target;
  }

  /** Maps any failure of a call (a gRPC status exception or something else) to a typed error. */
  CaptchaSolverException fromThrowable(Throwable t, Duration deadline) {
    if (t instanceof CaptchaSolverException e) {
      return e;
    }
    Status status = Status.fromThrowable(t);
    Metadata trailers = Status.trailersFromThrowable(t);
    return fromStatus(status, trailers, deadline, t);
  }

  /** Maps a per-item error carried in a stream response. */
  CaptchaSolverException fromItemError(com.google.rpc.Status error, Duration deadline) {
    Status status = Status.fromCodeValue(error.getCode()).withDescription(error.getMessage());
    return fromStatus(status, null, deadline, null);
  }

  CaptchaSolverException fromStatus(
      Status status, Metadata trailers, Duration deadline, Throwable cause) {
    String code = status.getCode().name();
    String detail = describe(status);
    switch (status.getCode()) {
      case INVALID_ARGUMENT:
        return new InvalidImageException(code, "image refused by the server: " + detail, cause);
      case RESOURCE_EXHAUSTED:
        return new OverloadedException(
            code,
            "server overloaded (its queue is full; retries did not get through): " + detail,
            cause,
            pushback(trailers));
      case DEADLINE_EXCEEDED:
        return new DeadlineExceededException(
            code,
            "no answer within the deadline"
                + (deadline == null ? "" : " of " + Durations.format(deadline))
                + " (raise it with a longer deadline, or the server is overloaded): "
                + detail,
            cause);
      case UNAVAILABLE:
        return new UnavailableException(code, "cannot reach " + target + ": " + detail, cause);
      case UNAUTHENTICATED:
        return new AuthenticationException(
            code, "the server at " + target + " refused the credentials: " + detail, cause);
      case PERMISSION_DENIED:
        return new AuthenticationException(
            code, "the credentials are not permitted to call " + target + ": " + detail, cause);
      case CANCELLED:
        return new CancelledException(code, "call cancelled: " + detail, cause);
      default:
        return new ServerErrorException(code, "server error (" + code + "): " + detail, cause);
    }
  }

  private static String describe(Status status) {
    String description = status.getDescription();
    String cause = rootCauseMessage(status.getCause());
    if (description != null && !description.isBlank()) {
      return cause != null && !description.contains(cause)
          ? description + ": " + cause
          : description;
    }
    if (cause != null) {
      return cause;
    }
    return status.getCode().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
  }

  private static String rootCauseMessage(Throwable t) {
    String message = null;
    for (int depth = 0; t != null && depth < 10; depth++, t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        message = t.getMessage();
      }
    }
    return message;
  }

  private static Duration pushback(Metadata trailers) {
    if (trailers == null) {
      return null;
    }
    String value = trailers.get(RETRY_PUSHBACK);
    if (value == null) {
      return null;
    }
    try {
      long ms = Long.parseLong(value.trim());
      return ms >= 0 ? Duration.ofMillis(ms) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** A status exception from an unexpected local failure, so it maps like a server one. */
  static StatusRuntimeException internal(String message, Throwable cause) {
    return Status.INTERNAL.withDescription(message).withCause(cause).asRuntimeException();
  }
}
