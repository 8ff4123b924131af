package dev.captcha.server.reload;

import dev.captcha.server.batch.DelayScheduler;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one poll every interval on a {@link DelayScheduler}, one poll at a time, until closed; a
 * poll that throws is logged and the next one still runs. Thread-safe.
 */
final class PollLoop implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PollLoop.class);

  private final String what;
  private final long intervalNanos;
  private final DelayScheduler scheduler;
  private final Runnable poll;

  // Guarded by this.
  private boolean closed;
  private DelayScheduler.Cancellable next;

  /**
   * @param what what is polled, for the log ("model file /models/a.onnx")
   * @throws IllegalArgumentException when the interval is not positive
   */
  PollLoop(String what, Duration interval, DelayScheduler scheduler, Runnable poll) {
    this.what = Objects.requireNonNull(what, "what");
    Objects.requireNonNull(interval, "interval");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("poll interval must be positive, got " + interval);
    }
    this.intervalNanos = interval.toNanos();
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.poll = Objects.requireNonNull(poll, "poll");
  }

  /** Starts polling; a second call, or one after {@link #close}, does nothing. */
  synchronized void start() {
    if (!closed && next == null) {
      next = scheduler.schedule(this::pollAndReschedule, intervalNanos);
      log.info("watching {} every {} ms", what, intervalNanos / 1_000_000);
    }
  }

  /** Whether {@link #close} was called. */
  synchronized boolean isClosed() {
    return closed;
  }

  private void pollAndReschedule() {
    try {
      poll.run();
    } catch (RuntimeException e) {
      log.error("polling {} failed", what, e);
    } finally {
      synchronized (this) {
        if (!closed) {
          next = scheduler.schedule(this::pollAndReschedule, intervalNanos);
        }
      }
    }
  }

  /** Stops polling; a poll already running completes. */
  @Override
  public synchronized void close() {
    closed = true;
    if (next != null) {
      next.cancel();
      next = null;
    }
  }
}
