package dev.captcha.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.captcha.api.v1.CaptchaSolverGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The batch's backoffs run on the scheduler and random source it is given. */
class StreamBatchTest {
  private final FakeSolver fake = new FakeSolver();
  private Server server;
  private ManagedChannel channel;

  private record Scheduled(Runnable task, Duration delay) {}

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).addService(fake.definition()).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void anOverloadedItemWaitsForTheInjectedSchedulerBeforeItIsSentAgain() throws Exception {
    fake.overloadStreamItems(1);
    LinkedBlockingQueue<Scheduled> scheduled = new LinkedBlockingQueue<>();
    RetrySettings retry = RetrySettings.defaults();
    StreamBatch batch =
        new StreamBatch(
            List.of(
                    CaptchaImage.of("a", "a".getBytes(StandardCharsets.UTF_8)),
                    CaptchaImage.of("b", "b".getBytes(StandardCharsets.UTF_8)))
                .iterator(),
            4,
            responses -> CaptchaSolverGrpc.newStub(channel).solveStream(responses),
            new ErrorMapper("test"),
            Duration.ofMinutes(5),
            retry,
            (task, delay) -> scheduled.add(new Scheduled(task, delay)),
            new SplittableRandom(7));
    List<SolveOutcome> outcomes = new CopyOnWriteArrayList<>();
    CompletableFuture<BatchSummary> done = new CompletableFuture<>();
    batch.start(
        new StreamBatch.Sink() {
          @Override
          public void accept(SolveOutcome outcome) {
            outcomes.add(outcome);
            batch.release(1);
          }

          @Override
          public void complete(BatchSummary summary) {
            done.complete(summary);
          }

          @Override
          public void fail(RuntimeException error) {
            done.completeExceptionally(error);
          }
        });

    Scheduled retryOfA = scheduled.poll(60, TimeUnit.SECONDS);
    assertTrue(retryOfA != null, "the overloaded item's resend is scheduled");
    assertTrue(
        retryOfA.delay().compareTo(retry.backoffBound(1)) <= 0,
        "pause " + retryOfA.delay() + " within the first backoff bound");
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (outcomes.isEmpty() && System.nanoTime() < giveUp) {
      Thread.sleep(5); // b's answer comes on a gRPC thread
    }
    assertEquals(1, outcomes.size(), "b is answered while a waits");
    assertFalse(done.isDone(), "the batch waits for the resend");
    assertEquals(2, fake.streamItemsReceived.get(), "nothing is resent before the pause ends");

    retryOfA.task().run();
    assertEquals(new BatchSummary(2, 2, 0, 0), done.get(60, TimeUnit.SECONDS));
    assertEquals(3, fake.streamItemsReceived.get());
    assertEquals(2, outcomes.size());
  }
}
