package dev.captcha.loadtest;

import java.time.Duration;

/**
 * Settings shared by every run of one invocation; immutable and validated.
 *
 * @param rpc the RPC that carries requests
 * @param duration the measured part of each run
 * @param warmup the part before it, whose requests are sent but excluded from the results
 * @param deadline per-call deadline of unary calls, or {@code null} for none
 * @param streams number of concurrent streams when {@code rpc} is STREAM
 * @param maxInFlight cap on requests in flight in open loop (the sender waits at the cap, and the
 *     wait counts in latency)
 * @param arrivals spacing of open-loop requests
 * @param seed seed of the Poisson arrivals
 * @param interval length of one reporting interval
 * @param drainTimeout how long to wait after the run for requests still in flight
 */
record LoadConfig(
    Rpc rpc,
    Duration duration,
    Duration warmup,
    Duration deadline,
    int streams,
    int maxInFlight,
    Arrivals arrivals,
    long seed,
    Duration interval,
    Duration drainTimeout) {

  LoadConfig {
    requirePositive(duration, "--duration");
    if (warmup == null || warmup.isNegative()) {
      throw new IllegalArgumentException("--warmup must be zero or positive");
    }
    if (deadline != null) {
      requirePositive(deadline, "--deadline");
    }
    if (streams < 1) {
      throw new IllegalArgumentException("--streams must be at least 1, got " + streams);
    }
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("--max-in-flight must be at least 1, got " + maxInFlight);
    }
    requirePositive(interval, "--interval");
    requirePositive(drainTimeout, "--drain-timeout");
    if (rpc == null || arrivals == null) {
      throw new IllegalArgumentException("rpc and arrivals are required");
    }
  }

  private static void requirePositive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
  }
}
