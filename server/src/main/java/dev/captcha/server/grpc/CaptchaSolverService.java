package dev.captcha.server.grpc;

import dev.captcha.api.v1.CaptchaSolverGrpc;
import dev.captcha.api.v1.GetModelInfoRequest;
import dev.captcha.api.v1.ModelInfo;
import dev.captcha.api.v1.SolveRequest;
import dev.captcha.api.v1.SolveResponse;
import dev.captcha.server.solve.Solution;
import dev.captcha.server.solve.Solver;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC adapter of the {@code captcha.v1.CaptchaSolver} service: maps calls onto the {@link
 * Solver} and failures onto statuses. Thread-safe; one instance serves all calls.
 */
public final class CaptchaSolverService extends CaptchaSolverGrpc.CaptchaSolverImplBase {
  private static final Logger log = LoggerFactory.getLogger(CaptchaSolverService.class);

  private final Solver solver;
  private final Supplier<ModelInfo> modelInfo;
  private final long defaultTimeoutNanos;
  private final int streamWindow;

  /**
   * @param defaultTimeout the deadline of a call that carries none, and of each stream item
   * @param streamWindow most items of one stream in flight at once
   */
  public CaptchaSolverService(
      Solver solver, ModelInfo modelInfo, Duration defaultTimeout, int streamWindow) {
    this(
        solver,
        constant(Objects.requireNonNull(modelInfo, "modelInfo")),
        defaultTimeout,
        streamWindow);
  }

  /**
   * As above, with the model description read at each GetModelInfo call, for a model that is
   * replaced while serving (hot reload).
   */
  public CaptchaSolverService(
      Solver solver, Supplier<ModelInfo> modelInfo, Duration defaultTimeout, int streamWindow) {
    this.solver = Objects.requireNonNull(solver, "solver");
    this.modelInfo = Objects.requireNonNull(modelInfo, "modelInfo");
    this.defaultTimeoutNanos = defaultTimeout.toNanos();
    if (streamWindow < 1) {
      throw new IllegalArgumentException("stream window must be >= 1, got " + streamWindow);
    }
    this.streamWindow = streamWindow;
  }

  @Override
  public void solve(SolveRequest request, StreamObserver<SolveResponse> observer) {
    ServerCallStreamObserver<SolveResponse> call =
        (ServerCallStreamObserver<SolveResponse>) observer;
    CompletableFuture<Solution> future = solver.solve(request.getImage().toByteArray(), deadline());
    call.setOnCancelHandler(() -> future.cancel(false));
    future.whenComplete(
        (solution, failure) -> {
          try {
            if (failure != null) {
              call.onError(StatusMapper.toException(failure));
            } else {
              call.onNext(Protos.response(request.getId(), solution));
              call.onCompleted();
            }
          } catch (RuntimeException e) {
            log.debug("could not answer a cancelled call", e);
          }
        });
  }

  @Override
  public StreamObserver<SolveRequest> solveStream(StreamObserver<SolveResponse> observer) {
    ServerCallStreamObserver<SolveResponse> call =
        (ServerCallStreamObserver<SolveResponse>) observer;
    StreamSession session =
        new StreamSession(call, solver, streamWindow, this::deadline, defaultTimeoutNanos);
    session.start();
    return session;
  }

  @Override
  public void getModelInfo(GetModelInfoRequest request, StreamObserver<ModelInfo> observer) {
    observer.onNext(modelInfo.get());
    observer.onCompleted();
  }

  /** The call's deadline in the solver's clock, or the default timeout from now. */
  private long deadline() {
    long now = solver.nanoTime();
    Deadline d = Context.current().getDeadline();
    long remaining = d == null ? defaultTimeoutNanos : d.timeRemaining(TimeUnit.NANOSECONDS);
    return saturatedAdd(now, remaining);
  }

  static long saturatedAdd(long a, long b) {
    long r = a + b;
    if (((a ^ r) & (b ^ r)) < 0) {
      return b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
    return r;
  }

  private static Supplier<ModelInfo> constant(ModelInfo info) {
    return () -> info;
  }
}
