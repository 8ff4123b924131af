package dev.captcha.loadtest;

/**
 * Sends one request without waiting for it; implementations must be safe to call from several
 * threads.
 */
interface RequestIssuer {

  /**
   * Sends the next request of the workload. Its latency is measured from {@code intendedNanos} (on
   * the run's {@link Ticker}), which in open loop is its scheduled send time. {@code done} runs
   * exactly once when the request has completed, whatever the outcome, after its result was
   * recorded.
   */
  void issue(long intendedNanos, Runnable done);
}
