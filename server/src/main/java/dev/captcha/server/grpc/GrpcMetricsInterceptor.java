package dev.captcha.server.grpc;

import dev.captcha.api.v1.SolveRequest;
import dev.captcha.api.v1.SolveResponse;
import dev.captcha.server.batch.NanoClock;
import dev.captcha.server.metrics.ServerMetrics;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Counts every gRPC call by method and status code and SolveStream items by their status code, and
 * times Solve calls and SolveStream items from arrival to answer, into {@link ServerMetrics};
 * thread-safe. Request outcomes (admission, expiry, failure, queue time) are not its business: the
 * solver and the batcher record them where they happen. Install it as the outermost interceptor so
 * that calls refused by other interceptors are counted too.
 */
public final class GrpcMetricsInterceptor implements ServerInterceptor {
  private final ServerMetrics metrics;
  private final NanoClock clock;

  public GrpcMetricsInterceptor(ServerMetrics metrics, NanoClock clock) {
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    MeteredCall<ReqT, RespT> metered = new MeteredCall<>(call, clock.nanoTime());
    return new SimpleForwardingServerCallListener<ReqT>(next.startCall(metered, headers)) {
      @Override
      public void onMessage(ReqT message) {
        metered.arrived(message);
        super.onMessage(message);
      }

      @Override
      public void onCancel() {
        metered.cancelled();
        super.onCancel();
      }
    };
  }

  private final class MeteredCall<ReqT, RespT> extends SimpleForwardingServerCall<ReqT, RespT> {
    private final String method;
    private final boolean unary;
    private final boolean itemStream;
    private final long startNanos;
    // Arrival times of stream items not yet answered, by request id; guarded by itself.
    private final Map<String, ArrayDeque<Long>> arrivals = new HashMap<>();
    private final Object closeLock = new Object();
    private boolean finished; // guarded by closeLock

    MeteredCall(ServerCall<ReqT, RespT> delegate, long startNanos) {
      super(delegate);
      MethodType type = delegate.getMethodDescriptor().getType();
      this.method = delegate.getMethodDescriptor().getFullMethodName();
      this.unary = type == MethodType.UNARY;
      this.itemStream = !unary && !type.clientSendsOneMessage();
      this.startNanos = startNanos;
    }

    void arrived(Object message) {
      if (itemStream && message instanceof SolveRequest request) {
        long now = clock.nanoTime();
        synchronized (arrivals) {
          arrivals.computeIfAbsent(request.getId(), id -> new ArrayDeque<>()).add(now);
        }
      }
    }

    @Override
    public void sendMessage(RespT message) {
      if (itemStream && message instanceof SolveResponse response) {
        Long arrival;
        synchronized (arrivals) {
          ArrayDeque<Long> queue = arrivals.get(response.getId());
          arrival = queue == null ? null : queue.poll();
          if (queue != null && queue.isEmpty()) {
            arrivals.remove(response.getId());
          }
        }
        if (arrival != null) {
          metrics.recordServerTime(method, clock.nanoTime() - arrival);
        }
        Status.Code code =
            response.hasError()
                ? Status.fromCodeValue(response.getError().getCode()).getCode()
                : Status.Code.OK;
        metrics.recordStreamItem(code.name());
      }
      super.sendMessage(message);
    }

    @Override
    public void close(Status status, Metadata trailers) {
      if (finish()) {
        metrics.recordCall(method, status.getCode().name());
        if (unary) {
          metrics.recordServerTime(method, clock.nanoTime() - startNanos);
        }
      }
      synchronized (arrivals) {
        arrivals.clear();
      }
      super.close(status, trailers);
    }

    void cancelled() {
      if (finish()) {
        metrics.recordCall(method, Status.Code.CANCELLED.name());
      }
      synchronized (arrivals) {
        arrivals.clear();
      }
    }

    private boolean finish() {
      synchronized (closeLock) {
        boolean first = !finished;
        finished = true;
        return first;
      }
    }
  }
}
