package dev.captcha.server.bench;

import dev.captcha.server.batch.BatcherSettings;
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
 * per batch), swept over offered load as a fraction of saturation ({@code max / (a + max * c)}),
 * comparing fixed mode at several delays with the work-conserving and latency-budget modes. Latency
 * is measured from each request's scheduled arrival (no coordinated omission). Prints p50/p99,
 * throughput, the share within the budget and the mean batch size per mode and load, and per load
 * whether latency-budget mode kept p99 within the budget and matched the best fixed setting's
 * throughput and p50.
 *
 * <p>Arguments: budget ms (20), a ms (2), c ms (0.25), max batch (64), seconds per run (3), loads
 * as fractions of saturation (comma list, default 0.1,0.3,0.5,0.7,0.85,0.95).
 */
public final class LatencyBudgetHarness {
  private LatencyBudgetHarness() {}

  public static void main(String[] args) throws Exception {
    BatchingSweep sweep = BatchingSweep.parse(args, 3);
    System.out.printf(
        Locale.ROOT,
        "budget %.1f ms, batch cost %.2f + b * %.3f ms, max batch %d, saturation %.0f/s%n",
        sweep.budgetMs(),
        sweep.aMs(),
        sweep.cMs(),
        sweep.maxBatch(),
        sweep.saturation());
    sweep.print((setting, rate) -> run(sweep, setting, (int) Math.round(rate)));
  }

  private static BatchingSweep.Row run(BatchingSweep sweep, BatchingSweep.Setting setting, int rate)
      throws Exception {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    ExecutorService workers = Executors.newFixedThreadPool(1);
    SimulatedAccelerator<Long> engine =
        new SimulatedAccelerator<>((long) (sweep.aMs() * 1e6), (long) (sweep.cMs() * 1e6));
    BatcherSettings settings = sweep.batcherSettings(setting, Duration.ofMinutes(1));
    MicroBatcher<Long, Long> batcher =
        new MicroBatcher<>(
            settings, List.of(engine), NanoClock.SYSTEM, DelayScheduler.of(timer), workers);
    batcher.warmUp(0L);
    engine.batches = 0;
    engine.items = 0;
    int n = Math.max(rate * sweep.count(), 10);
    long[] latency = new long[n];
    AtomicLong lastDone = new AtomicLong();
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
                    long now = System.nanoTime();
                    latency[index] = now - scheduled;
                    lastDone.accumulateAndGet(now, Math::max);
                  });
    }
    CompletableFuture.allOf(fs).get(120, TimeUnit.SECONDS);
    batcher.close(Duration.ofSeconds(5));
    workers.shutdownNow();
    timer.shutdownNow();
    Arrays.sort(latency);
    return sweep.row(
        latency,
        (lastDone.get() - start) / 1e9,
        engine.items / (double) Math.max(engine.batches, 1));
  }
}
