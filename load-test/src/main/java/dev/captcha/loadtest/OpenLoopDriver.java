package dev.captcha.loadtest;

/**
 * Sends requests at the times an arrival schedule dictates, whatever the server does; owned by the
 * one thread that calls {@link #run}.
 *
 * <p>Each request carries its scheduled send time as the start of its latency. When the sender
 * falls behind (a slow send, a stalled machine, the cap on requests in flight), the late requests
 * are sent at once, still timed from their schedule, so a stall shows up in the latency of every
 * request that should have been sent during it (the coordinated-omission correction).
 */
final class OpenLoopDriver {

  private final Ticker ticker;
  private final RequestIssuer issuer;
  private final InFlight inFlight;
  private final int maxInFlight;

  OpenLoopDriver(Ticker ticker, RequestIssuer issuer, InFlight inFlight, int maxInFlight) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1, got " + maxInFlight);
    }
    this.ticker = ticker;
    this.issuer = issuer;
    this.inFlight = inFlight;
    this.maxInFlight = maxInFlight;
  }

  /**
   * Sends every request of {@code schedule} whose send time, counted from {@code startNanos}, falls
   * before {@code endNanos}; returns the number sent.
   */
  long run(Arrivals.Schedule schedule, long startNanos, long endNanos) throws InterruptedException {
    long sent = 0;
    while (true) {
      long intended = startNanos + schedule.nextOffsetNanos();
      if (intended - endNanos >= 0) {
        return sent;
      }
      ticker.sleepUntil(intended);
      inFlight.acquire(maxInFlight, ticker);
      issuer.issue(intended, inFlight::release);
      sent++;
    }
  }
}
