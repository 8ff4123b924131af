package dev.captcha.server.grpc;

import com.google.protobuf.Any;
import com.google.rpc.RetryInfo;
import dev.captcha.server.batch.DeadlineExpiredException;
import dev.captcha.server.batch.InferenceException;
import dev.captcha.server.batch.RejectedException;
import dev.captcha.server.image.InvalidImageException;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one place that turns a failure into a gRPC status, following the status codes listed in
 * server/README.md; stateless and thread-safe.
 */
public final class StatusMapper {
  /** Trailer that gRPC clients with a retry policy honour as the time to wait before retrying. */
  static final Metadata.Key<String> RETRY_PUSHBACK =
      Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);

  private StatusMapper() {}

  /** The status for a failure, as a {@code google.rpc.Status} (used for stream items). */
  public static com.google.rpc.Status toRpcStatus(Throwable failure) {
    Throwable t = unwrap(failure);
    com.google.rpc.Status.Builder b = com.google.rpc.Status.newBuilder();
    if (t instanceof InvalidImageException e) {
      b.setCode(Status.Code.INVALID_ARGUMENT.value())
          .setMessage("invalid image (" + reason(e) + "): " + e.getMessage());
    } else if (t instanceof RejectedException e) {
      if (e.reason() == RejectedException.Reason.QUEUE_FULL) {
        b.setCode(Status.Code.RESOURCE_EXHAUSTED.value()).setMessage(e.getMessage());
        long nanos = Math.max(e.retryAfterNanos(), 1_000_000L);
        b.addDetails(
            Any.pack(
                RetryInfo.newBuilder()
                    .setRetryDelay(
                        com.google.protobuf.Duration.newBuilder()
                            .setSeconds(nanos / 1_000_000_000L)
                            .setNanos((int) (nanos % 1_000_000_000L)))
                    .build()));
      } else {
        b.setCode(Status.Code.UNAVAILABLE.value()).setMessage(e.getMessage());
      }
    } else if (t instanceof DeadlineExpiredException e) {
      b.setCode(Status.Code.DEADLINE_EXCEEDED.value()).setMessage(e.getMessage());
    } else if (t instanceof InferenceException e) {
      b.setCode(Status.Code.INTERNAL.value()).setMessage(e.getMessage());
    } else if (t instanceof CancellationException) {
      b.setCode(Status.Code.CANCELLED.value()).setMessage("request cancelled");
    } else if (t instanceof StatusRuntimeException e) {
      b.setCode(e.getStatus().getCode().value())
          .setMessage(String.valueOf(e.getStatus().getDescription()));
    } else {
      b.setCode(Status.Code.INTERNAL.value()).setMessage("internal error: " + t);
    }
    return b.build();
  }

  /** The status for a failure, as an exception to end a unary call with. */
  public static StatusRuntimeException toException(Throwable failure) {
    Throwable t = unwrap(failure);
    com.google.rpc.Status status = toRpcStatus(t);
    Metadata trailers = new Metadata();
    if (t instanceof RejectedException e && e.reason() == RejectedException.Reason.QUEUE_FULL) {
      trailers.put(RETRY_PUSHBACK, Long.toString(Math.max(1, e.retryAfterNanos() / 1_000_000L)));
    }
    return StatusProto.toStatusRuntimeException(status, trailers);
  }

  private static String reason(InvalidImageException e) {
    return switch (e.reason()) {
      case EMPTY -> "empty";
      case OVERSIZED -> "oversized";
      case UNDECODABLE -> "undecodable";
      case ABSURD_DIMENSIONS -> "absurd dimensions";
    };
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
