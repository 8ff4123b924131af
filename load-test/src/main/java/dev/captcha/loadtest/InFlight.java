package dev.captcha.loadtest;

import java.util.concurrent.atomic.AtomicInteger;

/** Counts requests sent and not yet completed, with an optional cap; thread-safe. */
final class InFlight {

  private static final long POLL_NANOS = 100_000;

  private final AtomicInteger count = new AtomicInteger();

  /** Takes a slot if fewer than {@code max} requests are in flight. */
  boolean tryAcquire(int max) {
    while (true) {
      int now = count.get();
      if (now >= max) {
        return false;
      }
      if (count.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  /** Takes a slot, waiting on {@code ticker} while {@code max} requests are in flight. */
  void acquire(int max, Ticker ticker) throws InterruptedException {
    while (!tryAcquire(max)) {
      ticker.sleepUntil(ticker.nanoTime() + POLL_NANOS);
    }
  }

  /** Takes a slot unconditionally. */
  void add() {
    count.incrementAndGet();
  }

  /** Gives a slot back. */
  void release() {
    count.decrementAndGet();
  }

  /** Requests in flight now. */
  int get() {
    return count.get();
  }

  /**
   * Waits on {@code ticker} until nothing is in flight or {@code deadlineNanos} has passed, and
   * returns the number still in flight.
   */
  int awaitEmpty(Ticker ticker, long deadlineNanos) throws InterruptedException {
    while (count.get() > 0 && ticker.nanoTime() - deadlineNanos < 0) {
      ticker.sleepUntil(Math.min(deadlineNanos, ticker.nanoTime() + 1_000_000));
    }
    return count.get();
  }
}
