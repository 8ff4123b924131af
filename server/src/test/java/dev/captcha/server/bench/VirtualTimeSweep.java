package dev.captcha.server.bench;

import dev.captcha.server.batch.BatchEngine;
import dev.captcha.server.batch.BatcherSettings;
import dev.captcha.server.batch.DelayScheduler;
import dev.captcha.server.batch.MicroBatcher;
import dev.captcha.server.batch.NanoClock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The batcher in virtual time: one engine instance whose batch of b costs exactly {@code a + b*c},
 * open-loop Poisson arrivals, and a clock that moves only from event to event, so the figures show
 * the batching policy alone, free of the machine's thread scheduling. Sweeps offered load (a
 * fraction of saturation, {@code max / (a + max * c)}) for fixed mode at several delays and the
 * work-conserving and latency-budget modes, and prints p50, p99 (from arrival to answer),
 * throughput, the mean batch size and the share of requests answered within the budget.
 *
 * <p>Arguments: budget ms (20), a ms (2), c ms (0.25), max batch (64), requests per point (20000),
 * loads (comma list, default 0.1,0.3,0.5,0.7,0.85,0.95). A CPU-like engine: {@code 20 0.05 1.43
 * 32}.
 */
public final class VirtualTimeSweep {
  private VirtualTimeSweep() {}

  public static void main(String[] args) throws Exception {
    BatchingSweep sweep = BatchingSweep.parse(args, 20_000);
    System.out.printf(
        Locale.ROOT,
        "virtual time; budget %.1f ms, batch cost %.2f + b * %.3f ms, max batch %d,"
            + " saturation %.0f/s, %d requests per point%n",
        sweep.budgetMs(),
        sweep.aMs(),
        sweep.cMs(),
        sweep.maxBatch(),
        sweep.saturation(),
        sweep.count());
    sweep.print((setting, rate) -> run(sweep, setting, rate));
  }

  private static BatchingSweep.Row run(
      BatchingSweep sweep, BatchingSweep.Setting setting, double rate) throws Exception {
    int requests = sweep.count();
    Sim sim = new Sim();
    long fixed = (long) (sweep.aMs() * 1e6);
    long perItem = (long) (sweep.cMs() * 1e6);
    long[] batches = new long[2];
    BatchEngine<Integer, Integer> engine =
        inputs -> {
          sim.runUntil(sim.now + fixed + perItem * inputs.size());
          batches[0]++;
          batches[1] += inputs.size();
          return inputs;
        };
    BatcherSettings settings = sweep.batcherSettings(setting, Duration.ofHours(1));
    MicroBatcher<Integer, Integer> batcher =
        new MicroBatcher<>(settings, List.of(engine), sim, sim, sim);
    batcher.warmUp(0);
    batches[0] = 0;
    batches[1] = 0;
    long[] latency = new long[requests];
    long[] lastDone = new long[1];
    long start = sim.now;
    SplittableRandom rnd = new SplittableRandom(42);
    double t = 0;
    for (int i = 0; i < requests; i++) {
      t += -Math.log(1 - rnd.nextDouble()) / rate;
      long arrival = start + (long) (t * 1e9);
      int index = i;
      sim.at(
          arrival,
          () -> {
            CompletableFuture<?> f = batcher.add(index);
            f.whenComplete(
                (r, e) -> {
                  latency[index] = sim.now - arrival;
                  lastDone[0] = Math.max(lastDone[0], sim.now);
                });
          });
    }
    sim.runUntil(Long.MAX_VALUE);
    Arrays.sort(latency);
    return sweep.row(
        latency, (lastDone[0] - start) / 1e9, batches[1] / (double) Math.max(batches[0], 1));
  }

  /**
   * Virtual clock, scheduler and executor in one: events run in time order; an engine call runs the
   * events that fall within its batch (arrivals queue meanwhile) before its time has passed.
   */
  private static final class Sim implements NanoClock, DelayScheduler, Executor {
    private record Event(long time, long seq, Runnable task) {}

    private final PriorityQueue<Event> events =
        new PriorityQueue<>(
            (x, y) -> x.time != y.time ? Long.compare(x.time, y.time) : Long.compare(x.seq, y.seq));
    private long seq;
    long now = 1_000_000_000L;

    @Override
    public long nanoTime() {
      return now;
    }

    void at(long time, Runnable task) {
      events.add(new Event(time, seq++, task));
    }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
      boolean[] cancelled = new boolean[1];
      at(
          now + Math.max(delayNanos, 0),
          () -> {
            if (!cancelled[0]) {
              task.run();
            }
          });
      return () -> cancelled[0] = true;
    }

    @Override
    public void execute(Runnable command) {
      at(now, command);
    }

    /** Runs the events due before {@code end}, then sets the clock to it (if finite). */
    void runUntil(long end) {
      Event e;
      while ((e = events.peek()) != null && e.time < end) {
        events.poll();
        now = Math.max(now, e.time);
        e.task.run();
      }
      if (end != Long.MAX_VALUE) {
        now = Math.max(now, end);
      }
    }
  }
}
