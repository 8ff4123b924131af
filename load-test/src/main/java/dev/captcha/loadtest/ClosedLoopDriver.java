package dev.captcha.loadtest;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps a fixed number of requests in flight: each completion sends the next one, until the end
 * time; thread-safe (completions arrive on transport threads).
 *
 * <p>Latency is timed from the actual send, so a closed loop under-reports stalls (it sends less
 * while the server is slow); the open loop is the honest measure of tail latency.
 */
final class ClosedLoopDriver {

  private static final int MAX_INLINE_DEPTH = 32;

  private final Ticker ticker;
  private final RequestIssuer issuer;
  private final InFlight inFlight;
  private final Executor overflow;
  private final AtomicLong sent = new AtomicLong();
  private final ThreadLocal<int[]> depth = ThreadLocal.withInitial(() -> new int[1]);
  private volatile long endNanos;

  /**
   * @param overflow runs a send when completions arrive synchronously inside sends, so a failing
   *     transport cannot grow the stack without bound
   */
  ClosedLoopDriver(Ticker ticker, RequestIssuer issuer, InFlight inFlight, Executor overflow) {
    this.ticker = ticker;
    this.issuer = issuer;
    this.inFlight = inFlight;
    this.overflow = overflow;
  }

  /** Runs {@code concurrency} loops until {@code endNanos}; returns the number of requests sent. */
  long run(int concurrency, long endNanos) throws InterruptedException {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
    }
    this.endNanos = endNanos;
    for (int i = 0; i < concurrency; i++) {
      sendNext();
    }
    ticker.sleepUntil(endNanos);
    return sent.get();
  }

  private void sendNext() {
    long now = ticker.nanoTime();
    if (now - endNanos >= 0) {
      return;
    }
    inFlight.add();
    sent.incrementAndGet();
    issuer.issue(now, this::completed);
  }

  private void completed() {
    inFlight.release();
    int[] d = depth.get();
    if (d[0] >= MAX_INLINE_DEPTH) {
      overflow.execute(this::sendNext);
      return;
    }
    d[0]++;
    try {
      sendNext();
    } finally {
      d[0]--;
    }
  }
}
