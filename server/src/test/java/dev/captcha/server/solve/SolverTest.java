package dev.captcha.server.solve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.captcha.model.ColorMode;
import dev.captcha.model.InputSpec;
import dev.captcha.model.Prediction;
import dev.captcha.model.Preprocessor;
import dev.captcha.server.batch.BatcherSettings;
import dev.captcha.server.batch.DeadlineExpiredException;
import dev.captcha.server.batch.MicroBatcher;
import dev.captcha.server.batch.OutcomeListener;
import dev.captcha.server.batch.RejectedException;
import dev.captcha.server.image.ImageDecoder;
import dev.captcha.server.image.ImageLimits;
import dev.captcha.server.image.InvalidImageException;
import dev.captcha.server.testsupport.Images;
import dev.captcha.server.testsupport.ManualClock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

class SolverTest {
  private final ManualClock clock = new ManualClock();
  private final ArrayDeque<Runnable> preprocessTasks = new ArrayDeque<>();
  private final List<Integer> batchSizes = new ArrayList<>();
  private final MicroBatcher<float[], Prediction> batcher =
      new MicroBatcher<>(
          BatcherSettings.defaults().withMaxBatchSize(8).withMaxQueueDelay(Duration.ZERO),
          List.of(
              inputs -> {
                batchSizes.add(inputs.size());
                List<Prediction> out = new ArrayList<>();
                for (float[] in : inputs) {
                  out.add(new Prediction(in[0] > 0.5f ? "LIGHT" : "DARK", 1f, List.of()));
                }
                return out;
              }),
          clock,
          clock,
          Runnable::run);

  private Solver solver(Executor preprocess) {
    return new Solver(
        new ImageDecoder(ImageLimits.DEFAULT),
        new Preprocessor(new InputSpec(1, 64, 128, ColorMode.MIN_RGB, 1 / 255f, 0, 1)),
        batcher,
        preprocess);
  }

  private static Throwable failure(CompletableFuture<?> f) {
    return assertThrows(CompletionException.class, f::join).getCause();
  }

  @Test
  void decodesOffTheCallerThreadThenBatches() {
    Solver s = solver(preprocessTasks::add);
    CompletableFuture<Solution> f = s.solve(Images.white(), clock.nanoTime() + 1_000_000_000L);
    assertEquals(1, preprocessTasks.size(), "decoding waits for the preprocess executor");
    preprocessTasks.poll().run();
    Solution sol = f.join();
    assertEquals("LIGHT", sol.prediction().text());
    assertEquals(1, sol.batchSize());
  }

  @Test
  void aFullQueueRefusesBeforeDecoding() {
    ArrayDeque<Runnable> inference = new ArrayDeque<>();
    MicroBatcher<float[], Prediction> small =
        new MicroBatcher<>(
            BatcherSettings.defaults()
                .withMaxBatchSize(1)
                .withMaxQueueDelay(Duration.ZERO)
                .withMaxQueueLength(1),
            List.of(
                inputs -> inputs.stream().map(in -> new Prediction("X", 1f, List.of())).toList()),
            clock,
            clock,
            inference::add);
    Solver s =
        new Solver(
            new ImageDecoder(ImageLimits.DEFAULT),
            new Preprocessor(new InputSpec(1, 64, 128, ColorMode.MIN_RGB, 1 / 255f, 0, 1)),
            small,
            preprocessTasks::add);
    long deadline = clock.nanoTime() + 1_000_000_000L;
    CompletableFuture<Solution> running = s.solve(Images.white(), deadline);
    CompletableFuture<Solution> queued = s.solve(Images.white(), deadline);
    preprocessTasks.poll().run(); // its batch holds the only instance
    preprocessTasks.poll().run(); // waits in the queue, which is now full

    CompletableFuture<Solution> refused = s.solve(Images.white(), deadline);
    RejectedException e = assertInstanceOf(RejectedException.class, failure(refused));
    assertEquals(RejectedException.Reason.QUEUE_FULL, e.reason());
    assertTrue(preprocessTasks.isEmpty(), "the refused image was not sent to decoding");
    while (!inference.isEmpty()) {
      inference.poll().run();
    }
    assertEquals("X", running.join().prediction().text());
    assertEquals("X", queued.join().prediction().text());
  }

  @Test
  void badImageFailsWithoutReachingTheBatcher() {
    Solver s = solver(Runnable::run);
    CompletableFuture<Solution> f = s.solve(new byte[0], clock.nanoTime() + 1_000_000_000L);
    assertInstanceOf(InvalidImageException.class, failure(f));
    assertTrue(batchSizes.isEmpty());
  }

  @Test
  void cancelledBeforeDecodingIsNeverComputed() {
    Solver s = solver(preprocessTasks::add);
    CompletableFuture<Solution> f = s.solve(Images.white(), clock.nanoTime() + 1_000_000_000L);
    f.cancel(false);
    preprocessTasks.poll().run();
    assertTrue(batchSizes.isEmpty());
  }

  @Test
  void deadlinePassedWhileWaitingToDecode() {
    Solver s = solver(preprocessTasks::add);
    CompletableFuture<Solution> f = s.solve(Images.white(), clock.nanoTime() + 1_000_000L);
    clock.jumpMillis(2);
    preprocessTasks.poll().run();
    assertInstanceOf(DeadlineExpiredException.class, failure(f));
    assertTrue(batchSizes.isEmpty());
  }

  @Test
  void saturatedPreprocessingIsAFullQueue() {
    Solver s =
        solver(
            r -> {
              throw new RejectedExecutionException("full");
            });
    RejectedException e =
        assertInstanceOf(
            RejectedException.class,
            failure(s.solve(Images.white(), clock.nanoTime() + 1_000_000_000L)));
    assertEquals(RejectedException.Reason.QUEUE_FULL, e.reason());
  }

  @Test
  void theSolverTellsItsListenerOfTheRefusalsAndExpiriesItDecides() {
    List<String> seen = new ArrayList<>();
    OutcomeListener listener =
        new OutcomeListener() {
          @Override
          public void rejected(RejectedException.Reason reason) {
            seen.add("rejected " + reason);
          }

          @Override
          public void expired() {
            seen.add("expired");
          }
        };
    Solver full =
        new Solver(
            new ImageDecoder(ImageLimits.DEFAULT),
            new Preprocessor(new InputSpec(1, 64, 128, ColorMode.MIN_RGB, 1 / 255f, 0, 1)),
            batcher,
            r -> {
              throw new RejectedExecutionException("full");
            },
            listener);
    full.solve(Images.white(), clock.nanoTime() + 1_000_000_000L);
    Solver late =
        new Solver(
            new ImageDecoder(ImageLimits.DEFAULT),
            new Preprocessor(new InputSpec(1, 64, 128, ColorMode.MIN_RGB, 1 / 255f, 0, 1)),
            batcher,
            preprocessTasks::add,
            listener);
    late.solve(Images.white(), clock.nanoTime() + 1_000_000L);
    clock.jumpMillis(2);
    preprocessTasks.poll().run();
    assertEquals(List.of("rejected QUEUE_FULL", "expired"), seen);
  }
}
