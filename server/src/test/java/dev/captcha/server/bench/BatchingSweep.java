package dev.captcha.server.bench;

import dev.captcha.server.batch.BatcherSettings;
import dev.captcha.server.batch.BatchingMode;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What the batching-mode sweeps over a simulated engine ({@link LatencyBudgetHarness} in real time,
 * {@link VirtualTimeSweep} in virtual time) share: their arguments (budget ms, a ms, c ms, max
 * batch, one harness-specific count, loads as fractions of saturation), the settings compared, the
 * batcher settings of each, and the table with a verdict line per load for latency-budget mode
 * against the best fixed setting. Immutable.
 *
 * @param budgetMs latency budget in milliseconds
 * @param aMs fixed cost of a batch in milliseconds
 * @param cMs cost per item in milliseconds
 * @param maxBatch largest batch
 * @param count the fifth argument (seconds per run, or requests per point)
 * @param loads offered loads as fractions of saturation
 */
record BatchingSweep(
    double budgetMs, double aMs, double cMs, int maxBatch, int count, double[] loads) {

  /** One compared setting: a mode and its queue delay. */
  record Setting(String name, BatchingMode mode, Duration delay) {}

  /**
   * One measured point.
   *
   * @param withinBudget share of the requests answered within the budget (0..1)
   */
  record Row(double p50, double p99, double throughput, double batch, double withinBudget) {}

  /** Measures one setting at one offered rate (requests per second). */
  @FunctionalInterface
  interface Point {
    Row run(Setting setting, double rate) throws Exception;
  }

  static final String DEFAULT_LOADS = "0.1,0.3,0.5,0.7,0.85,0.95";

  /** The arguments, each with its default when absent; {@code count} defaults to {@code count}. */
  static BatchingSweep parse(String[] args, int count) {
    return new BatchingSweep(
        args.length > 0 ? Double.parseDouble(args[0]) : 20,
        args.length > 1 ? Double.parseDouble(args[1]) : 2,
        args.length > 2 ? Double.parseDouble(args[2]) : 0.25,
        args.length > 3 ? Integer.parseInt(args[3]) : 64,
        args.length > 4 ? Integer.parseInt(args[4]) : count,
        Arrays.stream((args.length > 5 ? args[5] : DEFAULT_LOADS).split(","))
            .mapToDouble(Double::parseDouble)
            .toArray());
  }

  /** Requests per second at full batches: {@code max / (a + max * c)}. */
  double saturation() {
    return maxBatch / ((aMs + maxBatch * cMs) / 1e3);
  }

  Duration budget() {
    return Duration.ofNanos((long) (budgetMs * 1e6));
  }

  /** Fixed mode at 0, 2, 5 ms and the budget; work-conserving; latency-budget. */
  List<Setting> settings() {
    return List.of(
        new Setting("fixed 0ms", BatchingMode.FIXED, Duration.ZERO),
        new Setting("fixed 2ms", BatchingMode.FIXED, Duration.ofMillis(2)),
        new Setting("fixed 5ms", BatchingMode.FIXED, Duration.ofMillis(5)),
        new Setting("fixed budget", BatchingMode.FIXED, budget()),
        new Setting("work-conserving", BatchingMode.WORK_CONSERVING, Duration.ofMillis(5)),
        new Setting("latency-budget", BatchingMode.LATENCY_BUDGET, Duration.ofMillis(5)));
  }

  /** The batcher settings of {@code setting}: no queue limit to speak of, a long timeout. */
  BatcherSettings batcherSettings(Setting setting, Duration timeout) {
    return BatcherSettings.defaults()
        .withMaxBatchSize(maxBatch)
        .withMaxQueueDelay(setting.delay())
        .withMode(setting.mode())
        .withLatencyBudget(budget())
        .withMaxQueueLength(1 << 20)
        .withDefaultTimeout(timeout);
  }

  /** Runs every setting at every load through {@code point} and prints the table. */
  void print(Point point) throws Exception {
    System.out.println(
        "| load | setting | offered/s | p50 ms | p99 ms | done/s | mean batch | within budget |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    for (double load : loads) {
      double rate = load * saturation();
      double bestFixedP50 = Double.MAX_VALUE;
      double bestFixedThroughput = 0;
      Row budgetRow = null;
      for (Setting setting : settings()) {
        Row r = point.run(setting, rate);
        System.out.printf(
            Locale.ROOT,
            "| %.0f%% | %s | %.0f | %.2f | %.2f | %.0f | %.1f | %.2f%% |%n",
            load * 100,
            setting.name(),
            rate,
            r.p50(),
            r.p99(),
            r.throughput(),
            r.batch(),
            r.withinBudget() * 100);
        if (setting.mode() == BatchingMode.FIXED) {
          bestFixedP50 = Math.min(bestFixedP50, r.p50());
          bestFixedThroughput = Math.max(bestFixedThroughput, r.throughput());
        } else if (setting.mode() == BatchingMode.LATENCY_BUDGET) {
          budgetRow = r;
        }
      }
      System.out.printf(
          Locale.ROOT,
          "load %.0f%%: latency-budget p99 %.2f ms (%s budget); done/s %.0f vs best fixed %.0f;"
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

  /**
   * The row of sorted latencies (nanoseconds): median, 99th percentile, throughput over {@code
   * seconds}, mean batch and share within the budget.
   */
  Row row(long[] sortedLatency, double seconds, double meanBatch) {
    int n = sortedLatency.length;
    long limit = budget().toNanos();
    long within = Arrays.stream(sortedLatency).filter(l -> l <= limit).count();
    return new Row(
        sortedLatency[n / 2] / 1e6,
        sortedLatency[(int) (n * 0.99)] / 1e6,
        n / seconds,
        meanBatch,
        within / (double) n);
  }
}
