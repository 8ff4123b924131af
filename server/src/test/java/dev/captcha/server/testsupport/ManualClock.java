package dev.captcha.server.testsupport;

import dev.captcha.server.batch.DelayScheduler;
import dev.captcha.server.batch.NanoClock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The tests' one fake clock and scheduler: time moves only when a test moves it, and scheduled
 * tasks run only then, outside the clock's lock, on the test's thread. Thread-safe.
 */
public final class ManualClock implements NanoClock, DelayScheduler {
  private long now = 1_000_000_000L;
  private long sequence;
  private final List<Task> tasks = new ArrayList<>();

  private record Task(long due, long seq, Runnable run) {}

  @Override
  public synchronized long nanoTime() {
    return now;
  }

  @Override
  public synchronized Cancellable schedule(Runnable task, long delayNanos) {
    Task t = new Task(now + delayNanos, sequence++, task);
    tasks.add(t);
    return () -> {
      synchronized (ManualClock.this) {
        tasks.remove(t);
      }
    };
  }

  /** Moves time forward without running due tasks (as work on another thread would). */
  public synchronized void elapse(long nanos) {
    now += nanos;
  }

  /**
   * Moves time forward step by step, running every task that falls due on the way in due order,
   * each at its due time (tasks they schedule run too when they fall due in the interval).
   */
  public void advance(long nanos) {
    long target;
    synchronized (this) {
      target = now + nanos;
    }
    while (true) {
      Task next;
      synchronized (this) {
        next =
            tasks.stream()
                .filter(t -> t.due <= target)
                .min(Comparator.comparingLong(Task::due).thenComparingLong(Task::seq))
                .orElse(null);
        if (next == null) {
          now = Math.max(now, target);
          return;
        }
        tasks.remove(next);
        now = Math.max(now, next.due);
      }
      next.run.run();
    }
  }

  /** {@link #advance} by {@code millis} milliseconds. */
  public void advanceMillis(double millis) {
    advance((long) (millis * 1_000_000));
  }

  /** Jumps {@code millis} forward at once, then runs the tasks that fell due, in due order. */
  public void jumpMillis(long millis) {
    List<Task> due;
    synchronized (this) {
      now += millis * 1_000_000L;
      due =
          tasks.stream()
              .filter(t -> t.due <= now)
              .sorted(Comparator.comparingLong(Task::due).thenComparingLong(Task::seq))
              .toList();
      tasks.removeAll(due);
    }
    due.forEach(t -> t.run.run());
  }

  /** Tasks scheduled and not yet run or cancelled. */
  public synchronized int pendingTasks() {
    return tasks.size();
  }
}
