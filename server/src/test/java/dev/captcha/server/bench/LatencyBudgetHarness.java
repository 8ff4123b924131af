package dev.captcha.server.bench;

import dev.captcha.server.batch.BatcherSettings;
import dev.captcha.server.batch.BatchingMode;
import dev.captcha.server.batch.DelayScheduler;
import dev.captcha.server.batch.MicroBatcher;
import dev.captcha.server.batch.NanoClock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop Poisson arrivals into the batcher in front of a simulated accelerator ({@code a + b*c}
 * per batch), comparing fixed mode with its delay set to the budget against latency-budget mode.
 * Latency is measured from each request's scheduled arrival (no coordinated omission). Prints
 * p50/p99/max and the mean batch size per mode and rate.
 *
 * <p>Arguments: budget ms (20), a ms (2), c ms (0.25), max batch (64), seconds per run (5), rates
 * per second (comma list, default 500,1500,2500).
 */
public final class LatencyBudgetHarness {
  private LatencyBudgetHarness() {}

  public static void main(String[] args) throws Exception {
    double budgetMs = args.length > 0 ? Double.parseDouble(args[0]) : 20;
    double aMs = args.length > 1 ? Double.parseDouble(args[1]) : 2;
    double cMs = args.length > 2 ? Double.parseDouble(args[2]) : 0.25;
    int maxBatch = args.length > 3 ? Integer.parseInt(args[3]) : 64;
    int seconds = args.length > 4 ? Integer.parseInt(args[4]) : 5;
    int[] rates =
        Arrays.stream((args.length > 5 ? args[5] : "500,1500,2500").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    System.out.printf(
        Locale.ROOT,
        "budget %.1f ms, batch cost %.2f + b * %.3f ms, max batch %d%n",
        budgetMs,
        aMs,
        cMs,
        maxBatch);
    for (int rate : rates) {
      for (BatchingMode mode : BatchingMode.values()) {
        run(mode, rate, budgetMs, aMs, cMs, maxBatch, seconds);
      }
    }
  }

  private static void run(
      BatchingMode mode,
      int rate,
      double budgetMs,
      double aMs,
      double cMs,
      int maxBatch,
      int seconds)
      throws Exception {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    ExecutorService workers = Executors.newFixedThreadPool(1);
    SimulatedAccelerator<Long> engine =
        new SimulatedAccelerator<>((long) (aMs * 1e6), (long) (cMs * 1e6));
    Duration budget = Duration.ofNanos((long) (budgetMs * 1e6));
    BatcherSettings settings =
        BatcherSettings.defaults()
            .withMaxBatchSize(maxBatch)
            .withMaxQueueDelay(budget)
            .withMode(mode)
            .withLatencyBudget(budget)
            .withMaxQueueLength(1 << 20)
            .withDefaultTimeout(Duration.ofMinutes(1));
    MicroBatcher<Long, Long> batcher =
        new MicroBatcher<>(
            settings, List.of(engine), NanoClock.SYSTEM, DelayScheduler.of(timer), workers);
    batcher.warmUp(0L);
    engine.batches = 0;
    engine.items = 0;
    int n = rate * seconds;
    long[] latency = new long[n];
    AtomicLong done = new AtomicLong();
    CompletableFuture<?>[] fs = new CompletableFuture<?>[n];
    SplittableRandom rnd = new SplittableRandom(42);
    long start = System.nanoTime();
    double t = 0;
    for (int i = 0; i < n; i++) {
      t += -Math.log(1 - rnd.nextDouble()) / rate;
      long scheduled = start + (long) (t * 1e9);
      long wait;
      while ((wait = scheduled - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      int index = i;
      fs[i] =
          batcher
              .add(scheduled)
              .whenComplete(
                  (r, e) -> {
                    latency[index] = System.nanoTime() - scheduled;
                    done.incrementAndGet();
                  });
    }
    CompletableFuture.allOf(fs).get(60, TimeUnit.SECONDS);
    batcher.close(Duration.ofSeconds(5));
    workers.shutdownNow();
    timer.shutdownNow();
    Arrays.sort(latency);
    long within = Arrays.stream(latency).filter(l -> l <= budget.toNanos()).count();
    System.out.printf(
        Locale.ROOT,
        "%-15s %5d/s: p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms  within budget %5.1f%%  mean batch"
            + " %5.1f%n",
        mode.label(),
        rate,
        latency[n / 2] / 1e6,
        latency[(int) (n * 0.99)] / 1e6,
        latency[n - 1] / 1e6,
        100.0 * within / n,
        engine.items / (double) engine.batches);
  }
}
