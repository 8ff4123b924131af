package dev.captcha.loadtest;

import dev.captcha.api.v1.CaptchaSolverGrpc;
import dev.captcha.api.v1.SolveRequest;
import dev.captcha.api.v1.SolveResponse;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends each request as one {@code Solve} call, spreading calls over the channels in turn;
 * thread-safe. Calls listen on the transport's threads and allocate one small listener each.
 */
final class UnaryIssuer implements RequestIssuer {

  private final Channel[] channels;
  private final Workload workload;
  private final Measurements measurements;
  private final long deadlineNanos;
  private final AtomicInteger turn = new AtomicInteger();

  /**
   * @param deadline per-call deadline, or {@code null} for none
   */
  UnaryIssuer(
      List<? extends Channel> channels,
      Workload workload,
      Measurements measurements,
      Duration deadline) {
    if (channels.isEmpty()) {
      throw new IllegalArgumentException("no channels");
    }
    this.channels = channels.toArray(new Channel[0]);
    this.workload = workload;
    this.measurements = measurements;
    this.deadlineNanos = deadline == null ? 0 : deadline.toNanos();
  }

  @Override
  public void issue(long intendedNanos, Runnable done) {
    Workload.Item item = workload.next();
    Channel channel = channels[Math.floorMod(turn.getAndIncrement(), channels.length)];
    CallOptions options =
        deadlineNanos > 0
            ? CallOptions.DEFAULT.withDeadlineAfter(deadlineNanos, TimeUnit.NANOSECONDS)
            : CallOptions.DEFAULT;
    ClientCall<SolveRequest, SolveResponse> call =
        channel.newCall(CaptchaSolverGrpc.getSolveMethod(), options);
    Listener listener = new Listener(intendedNanos, item.label(), done);
    try {
      call.start(listener, new Metadata());
      call.sendMessage(item.request());
      call.halfClose();
      call.request(2);
    } catch (RuntimeException e) {
      call.cancel("the load test failed to send", e);
      listener.onClose(Status.fromThrowable(e), new Metadata());
    }
  }

  private final class Listener extends ClientCall.Listener<SolveResponse> {
    private final long intendedNanos;
    private final String label;
    private final Runnable done;
    private SolveResponse response;
    private boolean closed;

    Listener(long intendedNanos, String label, Runnable done) {
      this.intendedNanos = intendedNanos;
      this.label = label;
      this.done = done;
    }

    @Override
    public void onMessage(SolveResponse message) {
      response = message;
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      synchronized (this) {
        if (closed) {
          return; // already completed by the failed-send path
        }
        closed = true;
      }
      if (status.isOk() && response != null) {
        measurements.recordSuccess(intendedNanos, label, response);
      } else {
        measurements.recordFailure(
            intendedNanos, status.isOk() ? "NO_RESPONSE" : status.getCode().name());
      }
      done.run();
    }
  }
}
