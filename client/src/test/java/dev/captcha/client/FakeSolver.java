package dev.captcha.client;

import com.google.protobuf.Duration;
import dev.captcha.api.v1.BatchingSettings;
import dev.captcha.api.v1.Candidate;
import dev.captcha.api.v1.CaptchaSolverGrpc;
import dev.captcha.api.v1.GetModelInfoRequest;
import dev.captcha.api.v1.InputShape;
import dev.captcha.api.v1.ModelInfo;
import dev.captcha.api.v1.PositionCandidates;
import dev.captcha.api.v1.SolveRequest;
import dev.captcha.api.v1.SolveResponse;
import dev.captcha.api.v1.Timing;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted captcha solver for tests: an image's bytes are its UTF-8 text, which is echoed as the
 * answer. "bad..." images are refused with INVALID_ARGUMENT and "hang" images are never answered.
 * Failures can be injected for the next N unary calls; streams can answer at once, in reversed
 * groups, or fail after some answers. Thread-safe.
 */
public final class FakeSolver extends CaptchaSolverGrpc.CaptchaSolverImplBase {

  /** How SolveStream answers. */
  public enum StreamMode {
    IMMEDIATE,
    REVERSED_GROUPS
  }

  public final AtomicInteger solveCalls = new AtomicInteger();
  public final AtomicInteger streamCalls = new AtomicInteger();
  public final AtomicInteger infoCalls = new AtomicInteger();
  public final AtomicInteger streamItemsReceived = new AtomicInteger();
  public final AtomicInteger maxOutstanding = new AtomicInteger();
  public final ConcurrentLinkedQueue<String> authorizations = new ConcurrentLinkedQueue<>();

  private final AtomicInteger failuresLeft = new AtomicInteger();
  private volatile Status.Code failureCode = Status.Code.UNAVAILABLE;
  private final AtomicInteger streamFailuresLeft = new AtomicInteger();
  private volatile int streamFailAfter;
  private volatile Status streamFailure = Status.UNAVAILABLE;
  private volatile StreamMode streamMode = StreamMode.IMMEDIATE;
  private volatile int groupSize = 1;
  private volatile String requiredToken;
  private final AtomicInteger overloadedItemsLeft = new AtomicInteger();

  /** The next {@code n} stream items are answered with a RESOURCE_EXHAUSTED item error. */
  public FakeSolver overloadStreamItems(int n) {
    overloadedItemsLeft.set(n);
    return this;
  }

  /** The next {@code n} unary calls fail with {@code code}. */
  public FakeSolver failNext(int n, Status.Code code) {
    failureCode = code;
    failuresLeft.set(n);
    return this;
  }

  /** The next {@code n} streams answer {@code answered} items and then fail with UNAVAILABLE. */
  public FakeSolver failStreams(int n, int answered) {
    return failStreams(n, answered, Status.UNAVAILABLE.withDescription("replica going away"));
  }

  /** The next {@code n} streams answer {@code answered} items and then fail with {@code status}. */
  public FakeSolver failStreams(int n, int answered, Status status) {
    streamFailure = status;
    streamFailAfter = answered;
    streamFailuresLeft.set(n);
    return this;
  }

  /**
   * Streams hold items until {@code size} are waiting (or the client half-closes), then answer them
   * newest first; the client half-closes only when all is answered, so batches must be a multiple
   * of {@code size}.
   */
  public FakeSolver reversedGroups(int size) {
    streamMode = StreamMode.REVERSED_GROUPS;
    groupSize = size;
    return this;
  }

  /** Calls without {@code authorization: Bearer <token>} fail with UNAUTHENTICATED. */
  public FakeSolver requireToken(String token) {
    requiredToken = token;
    return this;
  }

  /** The service with an interceptor that records and checks the authorization header. */
  public ServerServiceDefinition definition() {
    Metadata.Key<String> auth = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    ServerInterceptor interceptor =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            String value = headers.get(auth);
            authorizations.add(value == null ? "" : value);
            String required = requiredToken;
            if (required != null && !("Bearer " + required).equals(value)) {
              call.close(
                  Status.UNAUTHENTICATED.withDescription("missing or wrong bearer token"),
                  new Metadata());
              return new ServerCall.Listener<>() {};
            }
            return next.startCall(call, headers);
          }
        };
    return ServerInterceptors.intercept(bindService(), interceptor);
  }

  static String textOf(SolveRequest request) {
    return request.getImage().toString(StandardCharsets.UTF_8);
  }

  /** The answer for one image, or null when it is never answered. */
  static SolveResponse answer(SolveRequest request) {
    String text = textOf(request);
    if (text.equals("hang")) {
      return null;
    }
    if (text.startsWith("bad")) {
      return SolveResponse.newBuilder()
          .setId(request.getId())
          .setError(
              com.google.rpc.Status.newBuilder()
                  .setCode(Status.Code.INVALID_ARGUMENT.value())
                  .setMessage("undecodable image: not PNG, JPEG, GIF or BMP"))
          .build();
    }
    SolveResponse.Builder b = SolveResponse.newBuilder().setId(request.getId()).setText(text);
    float confidence = 1f;
    for (int i = 0; i < text.length(); i++) {
      b.addPositions(
          PositionCandidates.newBuilder()
              .addCandidates(
                  Candidate.newBuilder()
                      .setCharacter(text.substring(i, i + 1))
                      .setProbability(0.9f))
              .addCandidates(Candidate.newBuilder().setCharacter("?").setProbability(0.1f)));
      confidence *= 0.9f;
    }
    return b.setConfidence(confidence)
        .setTiming(
            Timing.newBuilder()
                .setQueueTime(Duration.newBuilder().setNanos(2_000_000))
                .setInferenceTime(Duration.newBuilder().setNanos(5_000_000))
                .setPreprocessTime(Duration.newBuilder().setNanos(1_000_000))
                .setBatchSize(3))
        .build();
  }

  @Override
  public void solve(SolveRequest request, StreamObserver<SolveResponse> responses) {
    solveCalls.incrementAndGet();
    if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      Metadata trailers = new Metadata();
      if (failureCode == Status.Code.RESOURCE_EXHAUSTED) {
        trailers.put(
            Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER), "5");
      }
      responses.onError(
          Status.fromCode(failureCode)
              .withDescription("injected failure")
              .asRuntimeException(trailers));
      return;
    }
    SolveResponse r = answer(request);
    if (r == null) {
      return;
    }
    if (r.hasError()) {
      responses.onError(
          Status.fromCodeValue(r.getError().getCode())
              .withDescription(r.getError().getMessage())
              .asRuntimeException());
      return;
    }
    responses.onNext(r);
    responses.onCompleted();
  }

  @Override
  public StreamObserver<SolveRequest> solveStream(StreamObserver<SolveResponse> responses) {
    streamCalls.incrementAndGet();
    boolean failThis = streamFailuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
    Status failure = streamFailure;
    int failAfter = streamFailAfter;
    StreamMode mode = streamMode;
    int size = groupSize;
    return new StreamObserver<>() {
      private final List<SolveRequest> held = new ArrayList<>();
      private int outstanding;
      private int answered;
      private boolean closed;
      private boolean hanging;

      @Override
      public void onNext(SolveRequest request) {
        if (closed) {
          return;
        }
        streamItemsReceived.incrementAndGet();
        outstanding++;
        maxOutstanding.accumulateAndGet(outstanding, Math::max);
        held.add(request);
        if (mode == StreamMode.IMMEDIATE || held.size() >= size) {
          flush();
        }
      }

      private void flush() {
        for (int i = held.size() - 1; i >= 0 && !closed; i--) {
          SolveResponse r = answer(held.get(i));
          if (r == null) {
            hanging = true;
            continue;
          }
          if (overloadedItemsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            r =
                SolveResponse.newBuilder()
                    .setId(r.getId())
                    .setError(
                        com.google.rpc.Status.newBuilder()
                            .setCode(Status.Code.RESOURCE_EXHAUSTED.value())
                            .setMessage("queue full"))
                    .build();
          }
          if (failThis && answered >= failAfter) {
            closed = true;
            responses.onError(failure.asRuntimeException());
            return;
          }
          outstanding--;
          answered++;
          responses.onNext(r);
        }
        held.clear();
      }

      @Override
      public void onError(Throwable t) {
        closed = true;
      }

      @Override
      public void onCompleted() {
        if (closed) {
          return;
        }
        flush();
        if (!closed && !hanging) {
          closed = true;
          responses.onCompleted();
        }
      }
    };
  }

  @Override
  public void getModelInfo(GetModelInfoRequest request, StreamObserver<ModelInfo> responses) {
    infoCalls.incrementAndGet();
    if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      responses.onError(
          Status.fromCode(failureCode).withDescription("injected failure").asRuntimeException());
      return;
    }
    responses.onNext(
        ModelInfo.newBuilder()
            .setName("fake-resnet")
            .setVersion("9.9.9")
            .setCharset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
            .setCaptchaLength(4)
            .setInputShape(InputShape.newBuilder().setChannels(1).setHeight(64).setWidth(128))
            .setValidationAccuracy(0.987f)
            .setExecutionProvider("CPU")
            .setDecoder("heads")
            .setBatching(
                BatchingSettings.newBuilder()
                    .setMaxBatchSize(32)
                    .setMaxQueueDelay(Duration.newBuilder().setNanos(5_000_000))
                    .addPreferredBatchSizes(8)
                    .addPreferredBatchSizes(16)
                    .setInstances(2)
                    .setMaxQueueLength(1024)
                    .setDefaultTimeout(Duration.newBuilder().setSeconds(10))
                    .setMode("fixed"))
            .putMetadata("captcha.format", "1")
            .build());
    responses.onCompleted();
  }
}
