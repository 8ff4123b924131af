package dev.captcha.loadtest;

import dev.captcha.api.v1.CaptchaSolverGrpc;
import dev.captcha.api.v1.SolveRequest;
import dev.captcha.api.v1.SolveResponse;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends requests as items of long-lived {@code SolveStream} calls, several streams spread over the
 * channels, matching answers to requests by id; thread-safe.
 *
 * <p>An item answered with an error counts as a failure under its status code; when a stream fails,
 * every item it had in flight fails with the stream's code and the next item opens a new stream.
 * {@link #close()} half-closes the streams so the server can finish them.
 */
final class StreamIssuer implements RequestIssuer, AutoCloseable {

  private final Lane[] lanes;
  private final Workload workload;
  private final Measurements measurements;
  private final AtomicInteger turn = new AtomicInteger();

  StreamIssuer(
      List<? extends Channel> channels, int streams, Workload workload, Measurements measurements) {
    if (channels.isEmpty()) {
      throw new IllegalArgumentException("no channels");
    }
    if (streams < 1) {
      throw new IllegalArgumentException("streams must be at least 1, got " + streams);
    }
    this.workload = workload;
    this.measurements = measurements;
    this.lanes = new Lane[streams];
    for (int i = 0; i < streams; i++) {
      lanes[i] = new Lane(channels.get(i % channels.size()));
    }
  }

  @Override
  public void issue(long intendedNanos, Runnable done) {
    lanes[Math.floorMod(turn.getAndIncrement(), lanes.length)].send(
        new Pending(intendedNanos, workload.next(), done));
  }

  /** Half-closes every open stream; items in flight are still answered. */
  @Override
  public void close() {
    for (Lane lane : lanes) {
      lane.halfClose();
    }
  }

  private record Pending(long intendedNanos, Workload.Item item, Runnable done) {}

  private static final Pending HALF_CLOSE = new Pending(0, null, null);

  /**
   * One stream slot. Sends are queued and drained by whichever thread finds the lane idle, so no
   * lock is held while calling into the transport (which may answer synchronously and trigger more
   * sends, on this lane or another).
   */
  private final class Lane {
    private final Channel channel;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger work = new AtomicInteger();
    private StreamCall current; // touched only by the draining thread
    private long nextId; // touched only by the draining thread

    Lane(Channel channel) {
      this.channel = channel;
    }

    void send(Pending p) {
      queue.add(p);
      drain();
    }

    void halfClose() {
      queue.add(HALF_CLOSE);
      drain();
    }

    private void drain() {
      if (work.getAndIncrement() != 0) {
        return;
      }
      int missed = 1;
      while (missed != 0) {
        Pending p;
        while ((p = queue.poll()) != null) {
          if (p == HALF_CLOSE) {
            if (current != null && !current.closed) {
              current.call.halfClose();
              current = null;
            }
          } else {
            sendNow(p);
          }
        }
        missed = work.addAndGet(-missed);
      }
    }

    private void sendNow(Pending p) {
      if (current == null || current.closed) {
        current = new StreamCall(channel);
      }
      long id = nextId++;
      StreamCall c = current;
      c.pending.put(id, p);
      if (c.closed) {
        // The stream closed between the check and the put; fail the item unless onClose did.
        c.failIfPending(id, "UNAVAILABLE");
        return;
      }
      try {
        c.call.sendMessage(p.item().request().toBuilder().setId(Long.toString(id)).build());
      } catch (RuntimeException e) {
        c.call.cancel("the load test failed to send", e);
      }
    }
  }

  private final class StreamCall extends ClientCall.Listener<SolveResponse> {
    final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();
    final ClientCall<SolveRequest, SolveResponse> call;
    volatile boolean closed;

    StreamCall(Channel channel) {
      call = channel.newCall(CaptchaSolverGrpc.getSolveStreamMethod(), CallOptions.DEFAULT);
      call.start(this, new Metadata());
      call.request(Integer.MAX_VALUE);
    }

    @Override
    public void onMessage(SolveResponse response) {
      Pending p;
      try {
        p = pending.remove(Long.parseLong(response.getId()));
      } catch (NumberFormatException e) {
        p = null;
      }
      if (p == null) {
        return; // not an id this stream sent; nothing to complete
      }
      if (response.hasError() && response.getError().getCode() != Status.Code.OK.value()) {
        measurements.recordFailure(
            p.intendedNanos(),
            Status.fromCodeValue(response.getError().getCode()).getCode().name());
      } else {
        measurements.recordSuccess(p.intendedNanos(), p.item().label(), response);
      }
      p.done().run();
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      closed = true;
      String code = status.isOk() ? "NO_RESPONSE" : status.getCode().name();
      for (Long id : new ArrayList<>(pending.keySet())) {
        failIfPending(id, code);
      }
    }

    void failIfPending(long id, String code) {
      Pending p = pending.remove(id);
      if (p != null) {
        measurements.recordFailure(p.intendedNanos(), code);
        p.done().run();
      }
    }
  }
}
