package dev.captcha.loadtest;

/**
 * The harness's source of time: a monotonic nano clock and a way to wait for a point on it.
 * Injected so schedulers can be driven by a fake clock in tests.
 */
interface Ticker {

  /** Monotonic time in nanoseconds, as {@link System#nanoTime()}. */
  long nanoTime();

  /** Returns once {@link #nanoTime()} has reached {@code deadlineNanos} (at once if it has). */
  void sleepUntil(long deadlineNanos) throws InterruptedException;
}
