package dev.captcha.server.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Many producers, several instances, cancellations, expiries and engine failures at once. */
class MicroBatcherConcurrencyTest {
  private static final int PRODUCERS = 6;
  private static final int PER_PRODUCER = 1500;

  @Test
  void everyRequestIsAnsweredAndNoneIsComputedTwice() throws Exception {
    ConcurrentHashMap<Integer, Integer> seen = new ConcurrentHashMap<>();
    AtomicInteger batches = new AtomicInteger();
    List<BatchEngine<Integer, Integer>> engines = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      engines.add(
          inputs -> {
            for (Integer in : inputs) {
              seen.merge(in, 1, Integer::sum);
            }
            if (batches.incrementAndGet() % 7 == 0) {
              throw new IllegalStateException("every seventh batch fails");
            }
            return inputs.stream().map(x -> -x).toList();
          });
    }
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    ExecutorService workers = Executors.newFixedThreadPool(3);
    ExecutorService producers = Executors.newFixedThreadPool(PRODUCERS);
    BatcherSettings settings =
        BatcherSettings.defaults()
            .withMaxBatchSize(8)
            .withMaxQueueDelay(Duration.ofMillis(1))
            .withInstances(3)
            .withMaxQueueLength(100_000)
            .withPreferredBatchSizes(List.of(4));
    MicroBatcher<Integer, Integer> batcher =
        new MicroBatcher<>(settings, engines, NanoClock.SYSTEM, DelayScheduler.of(timer), workers);
    List<CompletableFuture<BatchResult<Integer>>> futures =
        java.util.Collections.synchronizedList(new ArrayList<>());
    CountDownLatch start = new CountDownLatch(1);
    try {
      for (int p = 0; p < PRODUCERS; p++) {
        int base = p * PER_PRODUCER;
        producers.execute(
            () -> {
              try {
                start.await();
              } catch (InterruptedException e) {
                return;
              }
              for (int i = 0; i < PER_PRODUCER; i++) {
                int id = base + i + 1;
                long deadline =
                    i % 13 == 0
                        ? NanoClock.SYSTEM.nanoTime() + 1
                        : batcher.deadlineAfter(Duration.ofMinutes(5));
                CompletableFuture<BatchResult<Integer>> f = batcher.add(id, deadline);
                if (i % 10 == 0) {
                  f.cancel(false);
                }
                futures.add(f);
              }
            });
      }
      start.countDown();
      producers.shutdown();
      assertTrue(producers.awaitTermination(60, TimeUnit.SECONDS));
      batcher.shutdown().get(60, TimeUnit.SECONDS);
    } finally {
      workers.shutdownNow();
      timer.shutdownNow();
    }
    assertEquals(PRODUCERS * PER_PRODUCER, futures.size());
    int ok = 0;
    for (CompletableFuture<BatchResult<Integer>> f : futures) {
      assertTrue(f.isDone(), "every request is answered");
      if (!f.isCompletedExceptionally()) {
        BatchResult<Integer> r = f.join();
        assertTrue(r.output() < 0);
        assertTrue(r.batchSize() >= 1 && r.batchSize() <= 8);
        ok++;
      }
    }
    for (var e : seen.entrySet()) {
      assertEquals(1, e.getValue(), "request " + e.getKey() + " computed more than once");
    }
    assertTrue(ok > 0);
  }
}
