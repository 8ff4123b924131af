package dev.captcha.loadtest;

import java.util.concurrent.locks.LockSupport;

/** The real clock: {@link System#nanoTime()} and parking; stateless and thread-safe. */
final class SystemTicker implements Ticker {

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public void sleepUntil(long deadlineNanos) throws InterruptedException {
    long remaining;
    while ((remaining = deadlineNanos - System.nanoTime()) > 0) {
      LockSupport.parkNanos(remaining);
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
    }
  }
}
