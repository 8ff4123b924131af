package dev.captcha.server.grpc;

import io.grpc.Attributes;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerTransportFilter;
import io.grpc.Status;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Caps the client-streamed items of one connection, all its streams together, that the server has
 * read and not yet answered. It sits between a streaming service and the transport: the service's
 * requests for more messages are passed on one at a time per stream, and only while the connection
 * has credit; each answer sent returns one credit, and streams waiting for credit are served in
 * turn. A stream holds at most one credit for an item its client has not sent yet, so streams with
 * nothing to send cannot take the credit from busy ones. Calls whose client sends one message are
 * not limited. Thread-safe; install it on the server builder both as a transport filter and as an
 * interceptor.
 */
public final class StreamItemLimiter extends ServerTransportFilter implements ServerInterceptor {
  private static final Attributes.Key<Budget> BUDGET =
      Attributes.Key.create("captcha.stream-item-budget");

  private final int perConnection;

  /** A limiter allowing {@code perConnection} items in flight on each connection. */
  public StreamItemLimiter(int perConnection) {
    if (perConnection < 1) {
      throw new IllegalArgumentException("stream items per connection must be >= 1");
    }
    this.perConnection = perConnection;
  }

  @Override
  public Attributes transportReady(Attributes transportAttrs) {
    return transportAttrs.toBuilder().set(BUDGET, new Budget(perConnection)).build();
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    Budget budget = call.getAttributes().get(BUDGET);
    if (budget == null || call.getMethodDescriptor().getType().clientSendsOneMessage()) {
      return next.startCall(call, headers);
    }
    LimitedCall<ReqT, RespT> limited = new LimitedCall<>(call, budget);
    return new SimpleForwardingServerCallListener<ReqT>(next.startCall(limited, headers)) {
      @Override
      public void onMessage(ReqT message) {
        budget.delivered(limited);
        super.onMessage(message);
      }

      @Override
      public void onHalfClose() {
        budget.halfClosed(limited);
        super.onHalfClose();
      }

      @Override
      public void onCancel() {
        budget.finished(limited);
        super.onCancel();
      }

      @Override
      public void onComplete() {
        budget.finished(limited);
        super.onComplete();
      }
    };
  }

  /** The credit of one connection. */
  static final class Budget {
    private final int capacity;
    private int available; // guarded by this
    private final ArrayDeque<LimitedCall<?, ?>> waiting = new ArrayDeque<>(); // guarded by this

    Budget(int capacity) {
      this.capacity = capacity;
      this.available = capacity;
    }

    synchronized int available() {
      return available;
    }

    void want(LimitedCall<?, ?> call, int n) {
      synchronized (this) {
        if (call.done || call.halfClosed) {
          return;
        }
        call.wanted += n;
        if (!call.queued) {
          call.queued = true;
          waiting.add(call);
        }
      }
      pump();
    }

    void delivered(LimitedCall<?, ?> call) {
      synchronized (this) {
        if (call.undelivered > 0) {
          call.undelivered--;
        }
      }
      pump();
    }

    void answered(LimitedCall<?, ?> call) {
      synchronized (this) {
        if (call.done || call.held == call.undelivered) {
          return; // nothing delivered is waiting for an answer
        }
        call.held--;
        available++;
      }
      pump();
    }

    /** The client sends no more: credit asked for items that will never come is returned. */
    void halfClosed(LimitedCall<?, ?> call) {
      synchronized (this) {
        if (call.done || call.halfClosed) {
          return;
        }
        call.halfClosed = true;
        call.wanted = 0;
        call.held -= call.undelivered;
        available += call.undelivered;
        call.undelivered = 0;
        waiting.remove(call);
        call.queued = false;
      }
      pump();
    }

    void finished(LimitedCall<?, ?> call) {
      synchronized (this) {
        if (call.done) {
          return;
        }
        call.done = true;
        call.wanted = 0;
        available += call.held;
        call.held = 0;
        call.undelivered = 0;
        waiting.remove(call);
        call.queued = false;
      }
      pump();
    }

    /**
     * Hands out free credit one item at a time, round robin over the waiting calls that have no
     * read outstanding.
     */
    private void pump() {
      List<LimitedCall<?, ?>> grants = new ArrayList<>();
      synchronized (this) {
        while (available > 0) {
          LimitedCall<?, ?> call = nextReady();
          if (call == null) {
            break;
          }
          available--;
          call.wanted--;
          call.held++;
          call.undelivered++;
          grants.add(call);
          if (call.wanted > 0) {
            waiting.add(call);
          } else {
            call.queued = false;
          }
        }
      }
      for (LimitedCall<?, ?> call : grants) {
        call.forwardRequest();
      }
    }

    /** Removes and returns the first waiting call without an outstanding read, or null. */
    private LimitedCall<?, ?> nextReady() {
      for (Iterator<LimitedCall<?, ?>> it = waiting.iterator(); it.hasNext(); ) {
        LimitedCall<?, ?> call = it.next();
        if (call.undelivered == 0) {
          it.remove();
          return call;
        }
      }
      return null;
    }

    @Override
    public synchronized String toString() {
      return "Budget[" + available + "/" + capacity + " free, " + waiting.size() + " waiting]";
    }
  }

  /** A call whose requests for messages go through the connection's budget. */
  static final class LimitedCall<ReqT, RespT> extends SimpleForwardingServerCall<ReqT, RespT> {
    private final Budget budget;
    // All guarded by budget.
    int wanted; // asked for by the service, not yet passed on
    int held; // credit taken: passed on and not yet answered
    int undelivered; // passed on, not yet delivered
    boolean queued;
    boolean halfClosed;
    boolean done;

    LimitedCall(ServerCall<ReqT, RespT> delegate, Budget budget) {
      super(delegate);
      this.budget = budget;
    }

    @Override
    public void request(int numMessages) {
      if (numMessages > 0) {
        budget.want(this, numMessages);
      }
    }

    @Override
    public void sendMessage(RespT message) {
      super.sendMessage(message);
      budget.answered(this);
    }

    @Override
    public void close(Status status, Metadata trailers) {
      super.close(status, trailers);
      budget.finished(this);
    }

    void forwardRequest() {
      try {
        delegate().request(1);
      } catch (IllegalStateException closedMeanwhile) {
        budget.finished(this);
      }
    }
  }
}
