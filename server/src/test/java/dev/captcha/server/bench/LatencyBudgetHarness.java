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

  private record Setting(String name, BatchingMode mode, Duration delay) {}

  private record Row(double p50, double p99, double throughput, double within, double batch) {}

  public static void main(String[] args) throws Exception {
    double budgetMs = args.length > 0 ? Double.parseDouble(args[0]) : 20;
    double aMs = args.length > 1 ? Double.parseDouble(args[1]) : 2;
    double cMs = args.length > 2 ? Double.parseDouble(args[2]) : 0.25;
    int maxBatch = args.length > 3 ? Integer.parseInt(args[3]) : 64;
    int seconds = args.length > 4 ? Integer.parseInt(args[4]) : 3;
    double[] loads =
        Arrays.stream((args.length > 5 ? args[5] : "0.1,0.3,0.5,0.7,0.85,0.95").split(","))
            .mapToDouble(Double::parseDouble)
            .toArray();
    double saturation = maxBatch / ((aMs + maxBatch * cMs) / 1e3);
    Duration budget = Duration.ofNanos((long) (budgetMs * 1e6));
    List<Setting> settings =
        List.of(
            new Setting("fixed 0ms", BatchingMode.FIXED, Duration.ZERO),
            new Setting("fixed 2ms", BatchingMode.FIXED, Duration.ofMillis(2)),
            new Setting("fixed 5ms", BatchingMode.FIXED, Duration.ofMillis(5)),
            new Setting("fixed budget", BatchingMode.FIXED, budget),
            new Setting("work-conserving", BatchingMode.WORK_CONSERVING, Duration.ofMillis(5)),
            new Setting("latency-budget", BatchingMode.LATENCY_BUDGET, Duration.ofMillis(5)));
    System.out.printf(
        Locale.ROOT,
        "budget %.1f ms, batch cost %.2f + b * %.3f ms, max batch %d, saturation %.0f/s%n",
        budgetMs,
        aMs,
        cMs,
        maxBatch,
        saturation);
    System.out.println(
        "| load | setting | offered/s | p50 ms | p99 ms | done/s | within budget | mean batch |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    for (double load : loads) {
      int rate = (int) Math.round(load * saturation);
      double bestFixedP50 = Double.MAX_VALUE;
      double bestFixedThroughput = 0;
      Row budgetRow = null;
      for (Setting setting : settings) {
        Row r = run(setting, rate, budget, aMs, cMs, maxBatch, seconds);
        System.out.printf(
            Locale.ROOT,
            "| %.0f%% | %s | %d | %.2f | %.2f | %.0f | %.1f%% | %.1f |%n",
            load * 100,
            setting.name(),
            rate,
            r.p50(),
            r.p99(),
            r.throughput(),
            r.within(),
            r.batch());
        if (setting.mode() == BatchingMode.FIXED) {
          bestFixedP50 = Math.min(bestFixedP50, r.p50());
          bestFixedThroughput = Math.max(bestFixedThroughput, r.throughput());
        } else if (setting.mode() == BatchingMode.LATENCY_BUDGET) {
          budgetRow = r;
        }
      }
      System.out.printf(
          Locale.ROOT,
          "load %.0f%%: latency-budget p99 %.2f ms %s budget; throughput %.0f vs best fixed %.0f;"
              + " p50 %.2f vs best fixed %.2f ms%n",
          load * 100,
          budgetRow.p99(),
          budgetRow.p99() <= budgetMs ? "within" : "OVER",
          budgetRow.throughput(),
          bestFixedThroughput,
          budgetRow.p50(),
          bestFixedP50);
    }
  }

  private static Row run(
      Setting setting, int rate, Duration budget, double aMs, double cMs, int maxBatch, int seconds)
      throws Exception {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    ExecutorService workers = Executors.newFixedThreadPool(1);
    SimulatedAccelerator<Long> engine =
        new SimulatedAccelerator<>((long) (aMs * 1e6), (long) (cMs * 1e6));
    BatcherSettings settings =
        BatcherSettings.defaults()
            .withMaxBatchSize(maxBatch)
            .withMaxQueueDelay(setting.delay())
            .withMode(setting.mode())
            .withLatencyBudget(budget)
            .withMaxQueueLength(1 << 20)
            .withDefaultTimeout(Duration.ofMinutes(1));
    MicroBatcher<Long, Long> batcher =
        new MicroBatcher<>(
            settings, List.of(engine), NanoClock.SYSTEM, DelayScheduler.of(timer), workers);
    batcher.warmUp(0L);
    engine.batches = 0;
    engine.items = 0;
    int n = Math.max(rate * seconds, 10);
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
    long within = Arrays.stream(latency).filter(l -> l <= budget.toNanos()).count();
    return new Row(
        latency[n / 2] / 1e6,
        latency[(int) (n * 0.99)] / 1e6,
        n / ((lastDone.get() - start) / 1e9),
        100.0 * within / n,
        engine.items / (double) Math.max(engine.batches, 1));
  }
}
