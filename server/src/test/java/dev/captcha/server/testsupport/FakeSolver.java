package dev.captcha.server.testsupport;

import dev.captcha.api.v1.CaptchaSolverGrpc;
import dev.captcha.api.v1.GetModelInfoRequest;
import dev.captcha.api.v1.ModelInfo;
import dev.captcha.api.v1.SolveRequest;
import dev.captcha.api.v1.SolveResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A CaptchaSolver for transport tests: Solve answers "text" at once (INVALID_ARGUMENT for an empty
 * image); SolveStream asks for {@code window} items and either answers each at once or, when
 * holding, queues the answer until the test releases it. Thread-safe.
 */
public final class FakeSolver extends CaptchaSolverGrpc.CaptchaSolverImplBase {
  private final int window;
  private final boolean hold;
  private final AtomicInteger itemsReceived = new AtomicInteger();
  private final AtomicInteger solveCalls = new AtomicInteger();
  private final AtomicInteger streamsCancelled = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final BlockingQueue<Runnable> heldAnswers = new LinkedBlockingQueue<>();

  public FakeSolver() {
    this(8, false);
  }

  public FakeSolver(int window, boolean hold) {
    this.window = window;
    this.hold = hold;
  }

  public int solveCalls() {
    return solveCalls.get();
  }

  /** The most stream items, all streams together, that were received and not yet answered. */
  public int maxInFlight() {
    return maxInFlight.get();
  }

  public int streamsCancelled() {
    return streamsCancelled.get();
  }

  public int itemsReceived() {
    return itemsReceived.get();
  }

  /** Sends one held stream answer; waits for one to be queued. */
  public void releaseOne() throws InterruptedException {
    heldAnswers.take().run();
  }

  @Override
  public void solve(SolveRequest request, StreamObserver<SolveResponse> responses) {
    solveCalls.incrementAndGet();
    if (request.getImage().isEmpty()) {
      responses.onError(Status.INVALID_ARGUMENT.withDescription("empty image").asException());
      return;
    }
    responses.onNext(answer(request));
    responses.onCompleted();
  }

  @Override
  public StreamObserver<SolveRequest> solveStream(StreamObserver<SolveResponse> responses) {
    ServerCallStreamObserver<SolveResponse> call =
        (ServerCallStreamObserver<SolveResponse>) responses;
    call.disableAutoRequest();
    call.request(window);
    // Guarded by call: answers not yet sent, and whether the client finished sending.
    int[] unanswered = {0};
    boolean[] halfClosed = {false};
    return new StreamObserver<>() {
      @Override
      public void onNext(SolveRequest request) {
        itemsReceived.incrementAndGet();
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        synchronized (call) {
          unanswered[0]++;
        }
        Runnable answer =
            () -> {
              synchronized (call) {
                inFlight.decrementAndGet();
                call.onNext(answer(request));
                unanswered[0]--;
                if (halfClosed[0] && unanswered[0] == 0) {
                  call.onCompleted();
                  return;
                }
              }
              call.request(1);
            };
        if (hold) {
          heldAnswers.add(answer);
        } else {
          answer.run();
        }
      }

      @Override
      public void onError(Throwable t) {
        streamsCancelled.incrementAndGet();
      }

      @Override
      public void onCompleted() {
        synchronized (call) {
          halfClosed[0] = true;
          if (unanswered[0] == 0) {
            call.onCompleted();
          }
        }
      }
    };
  }

  @Override
  public void getModelInfo(GetModelInfoRequest request, StreamObserver<ModelInfo> responses) {
    responses.onNext(ModelInfo.newBuilder().setName("fake").setVersion("0").build());
    responses.onCompleted();
  }

  private static SolveResponse answer(SolveRequest request) {
    if (request.getImage().isEmpty()) {
      return SolveResponse.newBuilder()
          .setId(request.getId())
          .setError(
              com.google.rpc.Status.newBuilder()
                  .setCode(Status.Code.INVALID_ARGUMENT.value())
                  .setMessage("empty image"))
          .build();
    }
    return SolveResponse.newBuilder().setId(request.getId()).setText("text").build();
  }
}
