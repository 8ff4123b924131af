package dev.captcha.server.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import dev.captcha.api.v1.CaptchaSolverGrpc;
import dev.captcha.api.v1.SolveRequest;
import dev.captcha.api.v1.SolveResponse;
import dev.captcha.server.ServingStack;
import dev.captcha.server.testsupport.Images;
import dev.captcha.server.testsupport.ManualClock;
import dev.captcha.server.testsupport.ResponseCollector;
import dev.captcha.server.testsupport.TinyOnnxModel;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deadlines, cancellations, vanishing clients and engine faults, over a real connection. */
class FaultsTest {
  @TempDir Path dir;

  private static SolveRequest request(String id) {
    return SolveRequest.newBuilder()
        .setId(id)
        .setImage(ByteString.copyFrom(Images.white()))
        .build();
  }

  @Test
  void aRequestWhoseDeadlinePassesInTheQueueIsNotComputed() throws Exception {
    ManualClock clock = new ManualClock();
    try (ServingStack stack =
        new ServingStack(
            dir,
            clock,
            "--max-batch-size",
            "4",
            "--max-queue-delay",
            "0ms",
            "--default-timeout",
            "200ms")) {
      var futures = CaptchaSolverGrpc.newFutureStub(stack.channel());
      stack.engine.hold();
      int batchesBefore = stack.engine.batches();
      ListenableFuture<SolveResponse> first = futures.solve(request("first"));
      stack.engine.awaitBatchesAbove(batchesBefore);
      int computedBefore = stack.engine.items();
      ListenableFuture<SolveResponse> late = futures.solve(request("late"));
      await(() -> stack.batcher.queueLength() == 1);
      clock.jumpMillis(1000);
      stack.engine.release();

      assertEquals(TinyOnnxModel.WHITE_TEXT, first.get(60, TimeUnit.SECONDS).getText());
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> late.get(60, TimeUnit.SECONDS));
      assertEquals(Status.Code.DEADLINE_EXCEEDED, Status.fromThrowable(e).getCode());
      assertEquals(computedBefore, stack.engine.items(), "the expired request was computed");
      assertTrue(stack.scrape().contains("captcha_expired_requests_total 1.0"));
    }
  }

  @Test
  void aCancelledStreamReleasesEverythingItHeld() throws Exception {
    try (ServingStack stack =
        new ServingStack(
            dir,
            "--max-batch-size",
            "2",
            "--max-queue-delay",
            "0ms",
            "--stream-window",
            "8",
            "--stream-items-per-connection",
            "8")) {
      ResponseCollector<SolveResponse> first = new ResponseCollector<>();
      ClientCallStreamObserver<SolveRequest> stream =
          (ClientCallStreamObserver<SolveRequest>) stack.async().solveStream(first);
      int computedBefore = queueBehindAHeldBatch(stack, stream, "a", 8);
      stream.cancel("client gives up", null);
      first.done.handle((v, t) -> null).get(60, TimeUnit.SECONDS);
      await(() -> streamsCancelled(stack) == 1); // the server saw the cancellation
      stack.engine.release();
      await(() -> stack.batcher.queueLength() == 0);
      assertEquals(computedBefore, stack.engine.items(), "cancelled items were computed");

      // The connection's stream-item credit came back: a full window goes through on it.
      ResponseCollector<SolveResponse> second = new ResponseCollector<>();
      StreamObserver<SolveRequest> again = stack.async().solveStream(second);
      for (int i = 0; i < 8; i++) {
        again.onNext(request("b" + i));
      }
      again.onCompleted();
      assertEquals(8, second.done.get(60, TimeUnit.SECONDS).size());
    }
  }

  @Test
  void aClientThatVanishesMidStreamLeavesNothingBehind() throws Exception {
    try (ServingStack stack =
        new ServingStack(
            dir, "--max-batch-size", "2", "--max-queue-delay", "0ms", "--stream-window", "16")) {
      ManagedChannel doomed = stack.channel(InsecureChannelCredentials.create());
      ResponseCollector<SolveResponse> answers = new ResponseCollector<>();
      StreamObserver<SolveRequest> stream = CaptchaSolverGrpc.newStub(doomed).solveStream(answers);
      int computedBefore = queueBehindAHeldBatch(stack, stream, "v", 12);
      doomed.shutdownNow(); // the connection closes with items queued and a batch running
      answers.done.handle((v, t) -> null).get(60, TimeUnit.SECONDS);
      await(() -> streamsCancelled(stack) == 1); // the server saw the connection go
      stack.engine.release();

      await(() -> stack.batcher.queueLength() == 0);
      assertEquals(computedBefore, stack.engine.items(), "items of a vanished client computed");
      assertEquals(TinyOnnxModel.WHITE_TEXT, stack.blocking().solve(request("after")).getText());
    }
  }

  @Test
  void anEngineFailureFailsOnlyItsBatch() throws Exception {
    try (ServingStack stack =
        new ServingStack(dir, "--max-batch-size", "4", "--max-queue-delay", "0ms")) {
      stack.engine.failNext(1);
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class, () -> stack.blocking().solve(request("unlucky")));
      assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
      for (int i = 0; i < 5; i++) {
        assertEquals(
            TinyOnnxModel.WHITE_TEXT, stack.blocking().solve(request("next" + i)).getText());
      }
      assertTrue(stack.scrape().contains("captcha_inference_failures_total 1.0"));
    }
  }

  /**
   * Holds the engine, sends {@code count} items on {@code stream} and waits until the first batch
   * is held in the engine and the rest wait in the queue.
   *
   * @return items that reached inference so far
   */
  private static int queueBehindAHeldBatch(
      ServingStack stack, StreamObserver<SolveRequest> stream, String idPrefix, int count)
      throws InterruptedException {
    stack.engine.hold();
    int batchesBefore = stack.engine.batches();
    int itemsBefore = stack.engine.items();
    for (int i = 0; i < count; i++) {
      stream.onNext(request(idPrefix + i));
    }
    stack.engine.awaitBatchesAbove(batchesBefore);
    int computed = stack.engine.items();
    int running = computed - itemsBefore;
    await(() -> stack.batcher.queueLength() == count - running);
    return computed;
  }

  /** SolveStream calls the server counted as cancelled, from its metrics endpoint. */
  private static int streamsCancelled(ServingStack stack) {
    try {
      for (String line : stack.scrape().split("\n")) {
        if (line.startsWith("captcha_grpc_requests_total{")
            && line.contains("code=\"CANCELLED\"")
            && line.contains("/SolveStream\"")) {
          return (int) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return 0;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits for a condition the server reaches asynchronously; fails after a minute. */
  private static void await(BooleanSupplier condition) throws InterruptedException {
    long giveUp = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > giveUp) {
        throw new AssertionError("condition not reached");
      }
      Thread.sleep(5);
    }
  }
}
