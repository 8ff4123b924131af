package dev.captcha.server.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.captcha.api.v1.SolveRequest;
import dev.captcha.api.v1.SolveResponse;
import dev.captcha.server.ServingStack;
import dev.captcha.server.testsupport.Images;
import dev.captcha.server.testsupport.TinyOnnxModel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The internet's worst input, sent to the whole server over a real gRPC connection. */
class BadInputTest {
  @TempDir static Path dir;
  private static ServingStack stack;

  @BeforeAll
  static void start() throws Exception {
    stack =
        new ServingStack(
            dir,
            "--max-image-bytes",
            "1000000",
            "--max-message-bytes",
            "1500000",
            "--max-batch-size",
            "4",
            "--max-queue-delay",
            "1ms");
  }

  @AfterAll
  static void stop() throws Exception {
    stack.close();
  }

  private static SolveRequest request(String id, byte[] image) {
    return SolveRequest.newBuilder().setId(id).setImage(ByteString.copyFrom(image)).build();
  }

  private static void assertServing() {
    assertEquals(
        TinyOnnxModel.WHITE_TEXT,
        stack.blocking().solve(request("check", Images.white())).getText());
  }

  @Test
  void unusualButValidImagesAreAnswered() throws Exception {
    for (Map.Entry<String, byte[]> e : BadImages.readable().entrySet()) {
      SolveResponse r = stack.blocking().solve(request(e.getKey(), e.getValue()));
      assertEquals(TinyOnnxModel.LENGTH, r.getText().length(), e.getKey());
      assertEquals(e.getKey(), r.getId());
    }
    assertServing();
  }

  @Test
  void brokenAndAbsurdImagesAreInvalidArgumentsSayingWhy() throws Exception {
    for (Map.Entry<String, byte[]> e : BadImages.refused().entrySet()) {
      StatusRuntimeException error =
          assertThrows(
              StatusRuntimeException.class,
              () -> stack.blocking().solve(request(e.getKey(), e.getValue())),
              e.getKey());
      assertEquals(Status.Code.INVALID_ARGUMENT, error.getStatus().getCode(), e.getKey());
      String why = error.getStatus().getDescription();
      assertTrue(why != null && why.startsWith("invalid image ("), e.getKey() + ": " + why);
    }
    assertServing();
  }

  @Test
  void theReasonNamesTheProblem() throws Exception {
    assertTrue(reason(new byte[0]).contains("empty"));
    assertTrue(reason(BadImages.pngHeader(100_000, 100_000)).contains("dimensions"));
    assertTrue(reason(BadImages.refused().get("truncated png")).contains("decod"));
    assertTrue(reason(new byte[1_200_000]).contains("oversized"));
  }

  @Test
  void decompressionBombsAreRefusedFromTheHeaderWithoutAllocating() throws Exception {
    // 20000 x 20000 claimed pixels would need 1.6 GB as ARGB; many at once would exhaust the heap
    // if the server allocated before checking the header.
    byte[] bomb = BadImages.pngHeader(20_000, 20_000);
    List<CompletableFuture<Status.Code>> answers = new ArrayList<>();
    var futures = dev.captcha.api.v1.CaptchaSolverGrpc.newFutureStub(stack.channel());
    for (int i = 0; i < 64; i++) {
      var f = futures.solve(request("bomb" + i, bomb));
      CompletableFuture<Status.Code> code = new CompletableFuture<>();
      f.addListener(
          () -> {
            try {
              f.get();
              code.complete(Status.Code.OK);
            } catch (Exception e) {
              code.complete(Status.fromThrowable(e).getCode());
            }
          },
          Runnable::run);
      answers.add(code);
    }
    for (CompletableFuture<Status.Code> a : answers) {
      assertEquals(Status.Code.INVALID_ARGUMENT, a.get(60, TimeUnit.SECONDS));
    }
    assertServing();
  }

  @Test
  void truncatedAndCmykJpegsAreAnsweredOrRefusedWithAReason() throws Exception {
    for (Map.Entry<String, byte[]> e : BadImages.answeredOrRefused().entrySet()) {
      try {
        SolveResponse r = stack.blocking().solve(request(e.getKey(), e.getValue()));
        assertEquals(TinyOnnxModel.LENGTH, r.getText().length(), e.getKey());
      } catch (StatusRuntimeException error) {
        assertEquals(Status.Code.INVALID_ARGUMENT, error.getStatus().getCode(), e.getKey());
        assertTrue(error.getStatus().getDescription().startsWith("invalid image ("), e.getKey());
      }
    }
    assertServing();
  }

  @Test
  void imagesOverTheSizeLimitAreRefusedByTheirSize() {
    // Over --max-image-bytes but within the message limit: the decoder refuses it.
    StatusRuntimeException big =
        assertThrows(
            StatusRuntimeException.class,
            () -> stack.blocking().solve(request("big", new byte[1_200_000])));
    assertEquals(Status.Code.INVALID_ARGUMENT, big.getStatus().getCode());
    // Over --max-message-bytes: the transport refuses the message before it is parsed.
    StatusRuntimeException huge =
        assertThrows(
            StatusRuntimeException.class,
            () -> stack.blocking().solve(request("huge", new byte[2_000_000])));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, huge.getStatus().getCode());
    assertServing();
  }

  @Test
  void inAStreamOnlyTheBadItemsFail() throws Exception {
    Map<String, byte[]> items = new LinkedHashMap<>();
    Map<String, byte[]> refused = BadImages.refused();
    Map<String, byte[]> readable = BadImages.readable();
    var good = readable.entrySet().iterator();
    for (Map.Entry<String, byte[]> bad : refused.entrySet()) {
      items.put("bad:" + bad.getKey(), bad.getValue());
      if (good.hasNext()) {
        Map.Entry<String, byte[]> g = good.next();
        items.put("good:" + g.getKey(), g.getValue());
      }
    }
    Map<String, SolveResponse> answers = new HashMap<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    StreamObserver<SolveRequest> out =
        stack
            .async()
            .solveStream(
                new StreamObserver<>() {
                  @Override
                  public synchronized void onNext(SolveResponse r) {
                    answers.put(r.getId(), r);
                  }

                  @Override
                  public void onError(Throwable t) {
                    done.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {
                    done.complete(null);
                  }
                });
    items.forEach((id, image) -> out.onNext(request(id, image)));
    out.onCompleted();
    done.get(60, TimeUnit.SECONDS);

    assertEquals(items.keySet(), answers.keySet());
    answers.forEach(
        (id, r) -> {
          if (id.startsWith("bad:")) {
            assertEquals(Status.Code.INVALID_ARGUMENT.value(), r.getError().getCode(), id);
            assertTrue(r.getText().isEmpty(), id);
          } else {
            assertFalse(r.hasError(), id + ": " + r.getError());
            assertEquals(TinyOnnxModel.LENGTH, r.getText().length(), id);
          }
        });
    assertServing();
  }

  private static String reason(byte[] image) {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class, () -> stack.blocking().solve(request("r", image)));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    return e.getStatus().getDescription();
  }
}
