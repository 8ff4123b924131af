package dev.captcha.server.batch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A manual clock and scheduler: time moves only when a test advances it. Single-threaded. */
final class FakeTime implements NanoClock, DelayScheduler {
  private long now = 1_000_000_000L;
  private long sequence;
  private final List<Task> tasks = new ArrayList<>();

  @Override
  public long nanoTime() {
    return now;
  }

  @Override
  public Cancellable schedule(Runnable task, long delayNanos) {
    Task t = new Task(now + delayNanos, sequence++, task);
    tasks.add(t);
    return () -> tasks.remove(t);
  }

  /** Moves time forward without running due tasks (as work on another thread would). */
  void elapse(long nanos) {
    now += nanos;
  }

  /** Moves time forward, running every task that falls due on the way, in order. */
  void advance(long nanos) {
    long target = now + nanos;
    while (true) {
      Task next =
          tasks.stream()
              .filter(t -> t.due <= target)
              .min(Comparator.comparingLong((Task t) -> t.due).thenComparingLong(t -> t.seq))
              .orElse(null);
      if (next == null) {
        break;
      }
      tasks.remove(next);
      now = Math.max(now, next.due);
      next.run.run();
    }
    now = target;
  }

  void advanceMillis(double millis) {
    advance((long) (millis * 1_000_000));
  }

  int pendingTasks() {
    return tasks.size();
  }

  private record Task(long due, long seq, Runnable run) {}
}
