package dev.captcha.server.grpc;

import dev.captcha.api.v1.SolveRequest;
import dev.captcha.api.v1.SolveResponse;
import dev.captcha.server.solve.Solution;
import dev.captcha.server.solve.Solver;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * One SolveStream call: reads with manual flow control, holding at most {@code window} items in
 * flight; pulls another item only when an answer went out and the transport can take more, so a
 * client that sends fast or reads slowly cannot make the server buffer without bound. A bad item
 * gets its own response with {@code error} set and the stream goes on. Thread-safe.
 */
final class StreamSession implements StreamObserver<SolveRequest> {
  private final ServerCallStreamObserver<SolveResponse> call;
  private final Solver solver;
  private final int window;
  private final LongSupplier callDeadline;
  private final long itemTimeoutNanos;

  private final Object lock = new Object();
  // Guarded by lock.
  private final Set<CompletableFuture<Solution>> inFlight =
      Collections.newSetFromMap(new IdentityHashMap<>());
  private int owed;
  private boolean halfClosed;
  private boolean finished;

  StreamSession(
      ServerCallStreamObserver<SolveResponse> call,
      Solver solver,
      int window,
      LongSupplier callDeadline,
      long itemTimeoutNanos) {
    this.call = call;
    this.solver = solver;
    this.window = window;
    this.callDeadline = callDeadline;
    this.itemTimeoutNanos = itemTimeoutNanos;
  }

  void start() {
    call.disableAutoRequest();
    call.setOnReadyHandler(this::onReady);
    call.setOnCancelHandler(this::cancelAll);
    call.request(window);
  }

  @Override
  public void onNext(SolveRequest request) {
    long deadline =
        Math.min(
            callDeadline.getAsLong(),
            CaptchaSolverService.saturatedAdd(solver.nanoTime(), itemTimeoutNanos));
    CompletableFuture<Solution> f = solver.solve(request.getImage().toByteArray(), deadline);
    synchronized (lock) {
      if (finished) {
        f.cancel(false);
        return;
      }
      inFlight.add(f);
    }
    String id = request.getId();
    f.whenComplete((solution, failure) -> answer(f, id, solution, failure));
  }

  private void answer(
      CompletableFuture<Solution> f, String id, Solution solution, Throwable failure) {
    SolveResponse response =
        failure == null
            ? Protos.response(id, solution)
            : SolveResponse.newBuilder()
                .setId(id)
                .setError(StatusMapper.toRpcStatus(failure))
                .build();
    synchronized (lock) {
      if (!inFlight.remove(f) || finished) {
        return;
      }
      call.onNext(response);
      if (call.isReady()) {
        call.request(1);
      } else {
        owed++;
      }
      finishIfDoneLocked();
    }
  }

  private void onReady() {
    synchronized (lock) {
      if (owed > 0 && !finished) {
        call.request(owed);
        owed = 0;
      }
    }
  }

  @Override
  public void onError(Throwable t) {
    cancelAll();
  }

  @Override
  public void onCompleted() {
    synchronized (lock) {
      halfClosed = true;
      finishIfDoneLocked();
    }
  }

  private void finishIfDoneLocked() {
    if (halfClosed && inFlight.isEmpty() && !finished) {
      finished = true;
      call.onCompleted();
    }
  }

  private void cancelAll() {
    CompletableFuture<?>[] pending;
    synchronized (lock) {
      finished = true;
      pending = inFlight.toArray(new CompletableFuture<?>[0]);
      inFlight.clear();
    }
    for (CompletableFuture<?> f : pending) {
      f.cancel(false);
    }
  }
}
