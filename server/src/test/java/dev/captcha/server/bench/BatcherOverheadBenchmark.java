package dev.captcha.server.bench;

import dev.captcha.server.batch.BatchEngine;
import dev.captcha.server.batch.BatchResult;
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
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The batcher's own cost per request with an engine that costs nothing: {@code pipelined} keeps
 * many requests in flight (amortised cost per request, batches of up to 32), {@code roundTrip}
 * sends one request at a time and waits for it (includes two thread hand-offs).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class BatcherOverheadBenchmark {
  private static final int BURST = 1024;

  private ScheduledExecutorService timer;
  private ExecutorService workers;
  private MicroBatcher<Integer, Integer> batcher;
  private final Integer input = 7;

  @Setup(Level.Trial)
  public void setUp() {
    timer = Executors.newSingleThreadScheduledExecutor();
    workers = Executors.newFixedThreadPool(1);
    BatchEngine<Integer, Integer> zeroCost = inputs -> inputs;
    BatcherSettings settings =
        BatcherSettings.defaults()
            .withMaxBatchSize(32)
            .withMaxQueueDelay(Duration.ZERO)
            .withMaxQueueLength(BURST * 2);
    batcher =
        new MicroBatcher<>(
            settings, List.of(zeroCost), NanoClock.SYSTEM, DelayScheduler.of(timer), workers);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws InterruptedException {
    batcher.close(Duration.ofSeconds(5));
    workers.shutdownNow();
    timer.shutdownNow();
  }

  @Benchmark
  public BatchResult<Integer> roundTrip() {
    return batcher.add(input).join();
  }

  @Benchmark
  @OperationsPerInvocation(BURST)
  public Object pipelined() {
    @SuppressWarnings("unchecked")
    CompletableFuture<BatchResult<Integer>>[] fs = new CompletableFuture[BURST];
    for (int i = 0; i < BURST; i++) {
      fs[i] = batcher.add(input);
    }
    return CompletableFuture.allOf(fs).join();
  }
}
