package dev.captcha.server.grpc;

import dev.captcha.api.v1.CaptchaSolverGrpc;
import dev.captcha.api.v1.GetModelInfoRequest;
import dev.captcha.api.v1.ModelInfo;
import dev.captcha.api.v1.SolveRequest;
import dev.captcha.api.v1.SolveResponse;
import dev.captcha.server.solve.ModelSummary;
import dev.captcha.server.solve.Solution;
import dev.captcha.server.solve.Solver;
import dev.captcha.server.solve.SolverRegistry;
import dev.captcha.server.solve.UnknownModelException;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC adapter of the {@code captcha.v1.CaptchaSolver} service: maps calls onto the {@link
 * SolverRegistry} (each request to the model it names, or the default model) and failures onto
 * statuses. Thread-safe; one instance serves all calls.
 */
public final class CaptchaSolverService extends CaptchaSolverGrpc.CaptchaSolverImplBase {
  private static final Logger log = LoggerFactory.getLogger(CaptchaSolverService.class);

  private final SolverRegistry solver;
  // Set for a service built around one solver and its ModelInfo; null when the registry's
  // summaries describe the models.
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
    this(
        SolverRegistry.single(
            servedName(Objects.requireNonNull(modelInfo, "modelInfo").get()),
            Objects.requireNonNull(solver, "solver"),
            () -> {
              throw new IllegalStateException("this model is described by its ModelInfo");
            }),
        modelInfo,
        defaultTimeout,
        streamWindow);
  }

  /**
   * Serves the models of {@code registry}, described by their summaries.
   *
   * @param defaultTimeout the deadline of a call that carries none, and of each stream item
   * @param streamWindow most items of one stream in flight at once
   */
  public CaptchaSolverService(SolverRegistry registry, Duration defaultTimeout, int streamWindow) {
    this(registry, null, defaultTimeout, streamWindow);
  }

  private CaptchaSolverService(
      SolverRegistry registry,
      Supplier<ModelInfo> modelInfo,
      Duration defaultTimeout,
      int streamWindow) {
    this.solver = Objects.requireNonNull(registry, "registry");
    this.modelInfo = modelInfo;
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
    String model = solver.resolve(request.getModel());
    CompletableFuture<Solution> future =
        solver.solve(model, request.getImage().toByteArray(), deadline());
    call.setOnCancelHandler(() -> future.cancel(false));
    future.whenComplete(
        (solution, failure) -> {
          try {
            if (failure != null) {
              call.onError(StatusMapper.toException(failure));
            } else {
              call.onNext(Protos.response(request.getId(), model, solution));
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
    ModelInfo info;
    try {
      info = describe(request.getModel());
    } catch (UnknownModelException e) {
      observer.onError(StatusMapper.toException(e));
      return;
    }
    observer.onNext(info);
    observer.onCompleted();
  }

  private ModelInfo describe(String requested) throws UnknownModelException {
    String name = solver.resolve(requested);
    String defaultName = solver.defaultModel();
    if (modelInfo != null) {
      if (!name.equals(defaultName)) {
        solver.summary(name); // throws: the one model is the default
      }
      ModelInfo one =
          modelInfo.get().toBuilder().setModel(name).setDefaultModel(true).clearModels().build();
      return one.toBuilder().addModels(one).build();
    }
    ModelSummary summary = solver.summary(name);
    ModelInfo.Builder b = Protos.modelInfo(name, summary, name.equals(defaultName)).toBuilder();
    for (Map.Entry<String, ModelSummary> e : solver.summaries().entrySet()) {
      b.addModels(Protos.modelInfo(e.getKey(), e.getValue(), e.getKey().equals(defaultName)));
    }
    return b.build();
  }

  /** The name a one-model service serves under: the ModelInfo's model, else its name. */
  private static String servedName(ModelInfo info) {
    if (!info.getModel().isEmpty()) {
      return info.getModel();
    }
    return info.getName().isEmpty() ? "default" : info.getName();
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
