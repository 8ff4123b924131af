package dev.captcha.server.batch;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** Runs a task after a delay; implementations are thread-safe. Injected so tests control time. */
@FunctionalInterface
public interface DelayScheduler {

  /**
   * Schedules {@code task} to run once after {@code delayNanos}.
   *
   * @return a handle that cancels the task if it has not run yet
   */
  Cancellable schedule(Runnable task, long delayNanos);

  /** A scheduled task that can still be withdrawn. */
  @FunctionalInterface
  interface Cancellable {
    /** Withdraws the task; has no effect once it ran. */
    void cancel();
  }

  /** Adapts a {@link ScheduledExecutorService}, which the caller owns and shuts down. */
  static DelayScheduler of(ScheduledExecutorService executor) {
    return (task, delayNanos) -> {
      ScheduledFuture<?> f = executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
      return () -> f.cancel(false);
    };
  }
}
