package dev.captcha.server.bench;

import dev.captcha.server.batch.BatcherSettings;
import dev.captcha.server.batch.DelayScheduler;
import dev.captcha.server.batch.MicroBatcher;
import dev.captcha.server.batch.NanoClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Saturated throughput of the batcher in front of a simulated accelerator whose batch of b costs
 * {@code fixed + b * perItem}: many requests are kept in flight, so the ideal is {@code maxBatch /
 * (fixed + maxBatch * perItem)} requests per second per instance. Compare the score with {@link
 * #ideal}, printed at set-up.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class SaturationBenchmark {
  private static final int REQUESTS = 4096;

  @Param({"2000"})
  public long fixedMicros;

  @Param({"100"})
  public long perItemMicros;

  @Param({"32"})
  public int maxBatch;

  @Param({"1"})
  public int instances;

  private ScheduledExecutorService timer;
  private ExecutorService workers;
  private MicroBatcher<Integer, Integer> batcher;
  private Semaphore window;

  /** Requests per second an ideal batcher achieves with always-full batches. */
  public static double ideal(long fixedMicros, long perItemMicros, int maxBatch, int instances) {
    return instances * maxBatch / ((fixedMicros + maxBatch * perItemMicros) / 1e6);
  }

  @Setup(Level.Trial)
  public void setUp() {
    timer = Executors.newSingleThreadScheduledExecutor();
    workers = Executors.newFixedThreadPool(instances);
    List<SimulatedAccelerator<Integer>> engines = new java.util.ArrayList<>();
    for (int i = 0; i < instances; i++) {
      engines.add(new SimulatedAccelerator<>(fixedMicros * 1000, perItemMicros * 1000));
    }
    int inFlight = 8 * maxBatch * instances;
    BatcherSettings settings =
        BatcherSettings.defaults()
            .withMaxBatchSize(maxBatch)
            .withMaxQueueDelay(Duration.ofMillis(5))
            .withInstances(instances)
            .withMaxQueueLength(inFlight * 2);
    batcher =
        new MicroBatcher<>(settings, engines, NanoClock.SYSTEM, DelayScheduler.of(timer), workers);
    window = new Semaphore(inFlight);
    System.out.printf(
        "%nideal throughput: %.1f requests/s%n",
        ideal(fixedMicros, perItemMicros, maxBatch, instances));
  }

  @TearDown(Level.Trial)
  public void tearDown() throws InterruptedException {
    batcher.close(Duration.ofSeconds(5));
    workers.shutdownNow();
    timer.shutdownNow();
  }

  @Benchmark
  @OperationsPerInvocation(REQUESTS)
  public Object saturated() throws InterruptedException {
    CompletableFuture<?>[] fs = new CompletableFuture<?>[REQUESTS];
    Integer one = 1;
    for (int i = 0; i < REQUESTS; i++) {
      window.acquire();
      fs[i] = batcher.add(one).whenComplete((r, t) -> window.release());
    }
    return CompletableFuture.allOf(fs).join();
  }
}
