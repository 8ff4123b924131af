package dev.captcha.loadtest;

import com.google.protobuf.Duration;
import dev.captcha.api.v1.CaptchaSolverGrpc;
import dev.captcha.api.v1.GetModelInfoRequest;
import dev.captcha.api.v1.ModelInfo;
import dev.captcha.api.v1.SolveRequest;
import dev.captcha.api.v1.SolveResponse;
import dev.captcha.api.v1.Timing;
import io.grpc.stub.StreamObserver;

/**
 * A captcha solver that reads nothing and answers at once, for measuring the harness's own
 * capacity; stateless and thread-safe.
 */
public final class NoopSolverService extends CaptchaSolverGrpc.CaptchaSolverImplBase {

  static final String TEXT = "noop";

  private static final SolveResponse ANSWER =
      SolveResponse.newBuilder()
          .setText(TEXT)
          .setConfidence(1f)
          .setTiming(
              Timing.newBuilder()
                  .setBatchSize(1)
                  .setQueueTime(Duration.getDefaultInstance())
                  .setInferenceTime(Duration.getDefaultInstance())
                  .setPreprocessTime(Duration.getDefaultInstance()))
          .build();

  @Override
  public void solve(SolveRequest request, StreamObserver<SolveResponse> responses) {
    responses.onNext(answer(request));
    responses.onCompleted();
  }

  @Override
  public StreamObserver<SolveRequest> solveStream(StreamObserver<SolveResponse> responses) {
    return new StreamObserver<>() {
      @Override
      public void onNext(SolveRequest request) {
        responses.onNext(answer(request));
      }

      @Override
      public void onError(Throwable t) {
        // The client went away; nothing is left to answer.
      }

      @Override
      public void onCompleted() {
        responses.onCompleted();
      }
    };
  }

  @Override
  public void getModelInfo(GetModelInfoRequest request, StreamObserver<ModelInfo> responses) {
    responses.onNext(ModelInfo.newBuilder().setName("noop").setVersion("0").build());
    responses.onCompleted();
  }

  private static SolveResponse answer(SolveRequest request) {
    return request.getId().isEmpty() ? ANSWER : ANSWER.toBuilder().setId(request.getId()).build();
  }
}
