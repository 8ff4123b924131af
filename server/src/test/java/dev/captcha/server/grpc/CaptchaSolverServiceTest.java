package dev.captcha.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.rpc.RetryInfo;
import dev.captcha.api.v1.GetModelInfoRequest;
import dev.captcha.api.v1.ModelInfo;
import dev.captcha.api.v1.SolveRequest;
import dev.captcha.api.v1.SolveResponse;
import dev.captcha.server.batch.BatcherSettings;
import dev.captcha.server.batch.BatchingMode;
import dev.captcha.server.engine.Device;
import dev.captcha.server.engine.EngineOptions;
import dev.captcha.server.engine.OnnxModel;
import dev.captcha.server.testsupport.Images;
import dev.captcha.server.testsupport.ResponseCollector;
import dev.captcha.server.testsupport.TinyOnnxModel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptchaSolverServiceTest {
  @TempDir static Path dir;
  private static OnnxModel model;
  private Harness h;

  @BeforeAll
  static void loadModel() throws Exception {
    Path file = TinyOnnxModel.write(dir.resolve("tiny.onnx"), TinyOnnxModel.metadata());
    model = OnnxModel.load(file, new EngineOptions(Device.CPU, 1, 3));
  }

  @AfterAll
  static void closeModel() {
    model.close();
  }

  @AfterEach
  void stop() throws Exception {
    if (h != null) {
      h.close();
    }
  }

  private static BatcherSettings settings() {
    return BatcherSettings.defaults()
        .withMaxBatchSize(4)
        .withMaxQueueDelay(Duration.ZERO)
        .withDefaultTimeout(Duration.ofSeconds(1));
  }

  private Harness start(BatcherSettings settings, int window) throws Exception {
    h = new Harness(model, settings, window);
    return h;
  }

  private static SolveRequest request(String id, byte[] image) {
    return SolveRequest.newBuilder().setId(id).setImage(ByteString.copyFrom(image)).build();
  }

  @Test
  void solveReturnsTextConfidenceCandidatesAndTiming() throws Exception {
    start(settings(), 8);
    SolveResponse white = h.blocking().solve(request("w", Images.white()));
    assertEquals("w", white.getId());
    assertEquals(TinyOnnxModel.WHITE_TEXT, white.getText());
    assertEquals(4, white.getPositionsCount());
    assertEquals(3, white.getPositions(0).getCandidatesCount());
    assertEquals("X", white.getPositions(0).getCandidates(0).getCharacter());
    assertTrue(white.getConfidence() > 0.9f);
    assertEquals(1, white.getTiming().getBatchSize());
    assertFalse(white.hasError());
    SolveResponse black =
        h.blocking().solve(request("b", Images.filled(java.awt.Color.BLACK, "jpeg")));
    assertEquals(TinyOnnxModel.BLACK_TEXT, black.getText());
  }

  @Test
  void aFarClientDeadlineIsHonouredWithoutOverflow() throws Exception {
    start(settings(), 8);
    SolveResponse r =
        h.blocking()
            .withDeadlineAfter(100_000, TimeUnit.DAYS)
            .solve(request("far", Images.white()));
    assertEquals(TinyOnnxModel.WHITE_TEXT, r.getText());
  }

  @Test
  void badImagesAreInvalidArgumentsSayingWhy() throws Exception {
    start(settings(), 8);
    Map<byte[], String> cases = new HashMap<>();
    cases.put(new byte[0], "empty");
    cases.put("garbage".getBytes(StandardCharsets.UTF_8), "undecodable");
    cases.put(Images.pngHeaderOnly(50_000, 50_000), "absurd dimensions");
    for (Map.Entry<byte[], String> c : cases.entrySet()) {
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class, () -> h.blocking().solve(request("x", c.getKey())));
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
      assertTrue(
          e.getStatus().getDescription().contains(c.getValue()), e.getStatus().getDescription());
    }
    assertEquals(0, h.engine.items(), "bad images never reach the model");
    assertEquals(
        TinyOnnxModel.WHITE_TEXT, h.blocking().solve(request("ok", Images.white())).getText());
  }

  @Test
  void fullQueueIsResourceExhaustedWithARetryHint() throws Exception {
    start(settings().withMaxBatchSize(1).withMaxQueueLength(1), 8);
    h.engine.hold();
    CompletableFuture<SolveResponse> first = unary(request("1", Images.white()));
    h.engine.awaitEntered();
    CompletableFuture<SolveResponse> second = unary(request("2", Images.black()));
    assertEquals(1, h.batcher.queueLength());
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class, () -> h.blocking().solve(request("3", Images.white())));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
    assertNotNull(Status.trailersFromThrowable(e).get(StatusMapper.RETRY_PUSHBACK));
    com.google.rpc.Status detail = StatusProto.fromThrowable(e);
    assertTrue(detail.getDetails(0).is(RetryInfo.class));
    h.engine.release();
    assertEquals(TinyOnnxModel.WHITE_TEXT, first.get(10, TimeUnit.SECONDS).getText());
    assertEquals(TinyOnnxModel.BLACK_TEXT, second.get(10, TimeUnit.SECONDS).getText());
  }

  @Test
  void inferenceFailureIsInternalAndTheServerKeepsServing() throws Exception {
    start(settings(), 8);
    h.engine.failNext(1);
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class, () -> h.blocking().solve(request("x", Images.white())));
    assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("simulated accelerator fault"));
    assertEquals(
        TinyOnnxModel.WHITE_TEXT, h.blocking().solve(request("y", Images.white())).getText());
  }

  @Test
  void drainingServerAnswersUnavailable() throws Exception {
    start(settings(), 8);
    h.batcher.shutdown();
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class, () -> h.blocking().solve(request("x", Images.white())));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
  }

  @Test
  void streamAnswersGoodAndBadItemsAndGoesOn() throws Exception {
    start(settings(), 4);
    ResponseCollector<SolveResponse> c = new ResponseCollector<>();
    StreamObserver<SolveRequest> requests = h.async().solveStream(c);
    Map<String, String> expected = new HashMap<>();
    for (int i = 0; i < 12; i++) {
      String id = "item-" + i;
      switch (i % 3) {
        case 0 -> {
          requests.onNext(request(id, Images.white()));
          expected.put(id, TinyOnnxModel.WHITE_TEXT);
        }
        case 1 -> {
          requests.onNext(request(id, i % 2 == 0 ? new byte[0] : new byte[] {1, 2, 3}));
          expected.put(id, "ERROR");
        }
        default -> {
          requests.onNext(request(id, Images.filled(java.awt.Color.BLACK, "bmp")));
          expected.put(id, TinyOnnxModel.BLACK_TEXT);
        }
      }
    }
    requests.onCompleted();
    List<SolveResponse> responses = c.done.get(10, TimeUnit.SECONDS);
    assertEquals(12, responses.size());
    Map<String, String> got = new HashMap<>();
    for (SolveResponse r : responses) {
      if (r.hasError()) {
        assertEquals(Status.Code.INVALID_ARGUMENT.value(), r.getError().getCode());
        assertTrue(r.getError().getMessage().startsWith("invalid image"));
        got.put(r.getId(), "ERROR");
      } else {
        got.put(r.getId(), r.getText());
      }
    }
    assertEquals(expected, got);
  }

  @Test
  void streamItemWhoseDeadlinePassedInTheQueueIsNotComputed() throws Exception {
    start(settings().withMaxBatchSize(1), 4);
    h.engine.hold();
    ResponseCollector<SolveResponse> c = new ResponseCollector<>();
    StreamObserver<SolveRequest> requests = h.async().solveStream(c);
    requests.onNext(request("running", Images.white()));
    h.engine.awaitEntered();
    requests.onNext(request("late", Images.black()));
    h.clock.jumpMillis(2000);
    h.engine.release();
    requests.onCompleted();
    Map<String, SolveResponse> byId = byId(c.done.get(10, TimeUnit.SECONDS));
    assertEquals(TinyOnnxModel.WHITE_TEXT, byId.get("running").getText());
    assertEquals(Status.Code.DEADLINE_EXCEEDED.value(), byId.get("late").getError().getCode());
    assertEquals(1, h.engine.items(), "the expired item never reached the model");
  }

  @Test
  void streamReadsWithFlowControl() throws Exception {
    start(settings().withMaxBatchSize(1), 2);
    h.engine.hold();
    ResponseCollector<SolveResponse> c = new ResponseCollector<>();
    StreamObserver<SolveRequest> requests = h.async().solveStream(c);
    for (int i = 0; i < 10; i++) {
      requests.onNext(request("i" + i, Images.white()));
    }
    requests.onCompleted();
    h.engine.awaitEntered();
    assertEquals(2, h.preprocessed.get(), "only the window of 2 items was read");
    assertEquals(1, h.batcher.queueLength());
    h.engine.release();
    List<SolveResponse> responses = c.done.get(10, TimeUnit.SECONDS);
    assertEquals(10, responses.size());
    assertEquals(10, h.preprocessed.get());
    assertTrue(responses.stream().allMatch(r -> r.getText().equals(TinyOnnxModel.WHITE_TEXT)));
  }

  @Test
  void concurrentRequestsShareBatches() throws Exception {
    start(settings().withMaxBatchSize(4).withMaxQueueDelay(Duration.ofMillis(10)), 8);
    List<CompletableFuture<SolveResponse>> calls = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      calls.add(unary(request("c" + i, i % 2 == 0 ? Images.white() : Images.black())));
    }
    for (int i = 0; i < 4; i++) {
      SolveResponse r = calls.get(i).get(10, TimeUnit.SECONDS);
      assertEquals(4, r.getTiming().getBatchSize());
      assertEquals(i % 2 == 0 ? TinyOnnxModel.WHITE_TEXT : TinyOnnxModel.BLACK_TEXT, r.getText());
    }
  }

  @Test
  void modelInfoDescribesModelAndBatching() throws Exception {
    start(
        settings()
            .withPreferredBatchSizes(List.of(2))
            .withMode(BatchingMode.LATENCY_BUDGET)
            .withLatencyBudget(Duration.ofMillis(40)),
        8);
    ModelInfo info = h.blocking().getModelInfo(GetModelInfoRequest.getDefaultInstance());
    assertEquals("tiny-test", info.getName());
    assertEquals("0.0.1", info.getVersion());
    assertEquals(TinyOnnxModel.CHARSET, info.getCharset());
    assertEquals(4, info.getCaptchaLength());
    assertEquals(64, info.getInputShape().getHeight());
    assertEquals(128, info.getInputShape().getWidth());
    assertEquals(1, info.getInputShape().getChannels());
    assertEquals(0.5f, info.getValidationAccuracy());
    assertEquals("heads", info.getDecoder());
    assertEquals("CPU", info.getExecutionProvider());
    assertEquals("float32", info.getPrecision());
    assertEquals(4, info.getBatching().getMaxBatchSize());
    assertEquals(List.of(2), info.getBatching().getPreferredBatchSizesList());
    assertEquals("latency-budget", info.getBatching().getMode());
    assertEquals(40_000_000, info.getBatching().getLatencyBudget().getNanos());
    assertEquals("min-rgb", info.getMetadataOrThrow("captcha.input.color"));
  }

  private CompletableFuture<SolveResponse> unary(SolveRequest r) {
    CompletableFuture<SolveResponse> f = new CompletableFuture<>();
    h.async()
        .solve(
            r,
            new StreamObserver<>() {
              @Override
              public void onNext(SolveResponse v) {
                f.complete(v);
              }

              @Override
              public void onError(Throwable t) {
                f.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {}
            });
    return f;
  }

  private static Map<String, SolveResponse> byId(List<SolveResponse> responses) {
    Map<String, SolveResponse> m = new HashMap<>();
    responses.forEach(r -> m.put(r.getId(), r));
    return m;
  }
}
