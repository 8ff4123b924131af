package dev.captcha.server.testing;

import dev.captcha.server.batch.DelayScheduler;
import dev.captcha.server.batch.NanoClock;
import java.util.ArrayList;
import java.util.List;

/** A clock and scheduler that move only when a test advances them; thread-safe. */
public final class ManualClock implements NanoClock, DelayScheduler {
  private long now = 5_000_000_000L;
  private final List<Object[]> tasks = new ArrayList<>();

  @Override
  public synchronized long nanoTime() {
    return now;
  }

  @Override
  public synchronized Cancellable schedule(Runnable task, long delayNanos) {
    Object[] entry = {now + delayNanos, task};
    tasks.add(entry);
    return () -> {
      synchronized (ManualClock.this) {
        tasks.remove(entry);
      }
    };
  }

  /** Moves time forward and runs the tasks that fell due, outside the lock. */
  public void advanceMillis(long millis) {
    List<Runnable> due = new ArrayList<>();
    synchronized (this) {
      now += millis * 1_000_000L;
      for (var it = tasks.iterator(); it.hasNext(); ) {
        Object[] e = it.next();
        if ((long) e[0] <= now) {
          due.add((Runnable) e[1]);
          it.remove();
        }
      }
    }
    due.forEach(Runnable::run);
  }
}
