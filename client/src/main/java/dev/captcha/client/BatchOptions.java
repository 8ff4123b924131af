package dev.captcha.client;

/**
 * How a batch is streamed; immutable and thread-safe.
 *
 * @param maxInFlight the most items sent and not yet handed back to the caller (at least 1)
 * @param ordered whether outcomes are handed back in input order (otherwise as they come)
 * @param streams how many SolveStreams the batch is spread over, sharing the window; 0 for one per
 *     target the client was built with, so that round-robin balancing gives every replica a stream
 */
public record BatchOptions(int maxInFlight, boolean ordered, int streams) {

  /** The default window: enough to fill a few server batches. */
  public static final int DEFAULT_MAX_IN_FLIGHT = 64;

  /** Validates. */
  public BatchOptions {
    if (maxInFlight < 1 || maxInFlight > 1_000_000) {
      throw new IllegalArgumentException("maxInFlight must be 1..1000000, got " + maxInFlight);
    }
    if (streams < 0 || streams > 1024) {
      throw new IllegalArgumentException("streams must be 0..1024, got " + streams);
    }
  }

  /** One stream per target. */
  public BatchOptions(int maxInFlight, boolean ordered) {
    this(maxInFlight, ordered, 0);
  }

  /** Outcomes as they come, with the default window. */
  public static BatchOptions unordered() {
    return new BatchOptions(DEFAULT_MAX_IN_FLIGHT, false);
  }

  /** Outcomes in input order, with the default window. */
  public static BatchOptions inOrder() {
    return new BatchOptions(DEFAULT_MAX_IN_FLIGHT, true);
  }

  /** The same options with another window. */
  public BatchOptions withMaxInFlight(int n) {
    return new BatchOptions(n, ordered, streams);
  }

  /** The same options spread over {@code n} streams (0: one per target). */
  public BatchOptions withStreams(int n) {
    return new BatchOptions(maxInFlight, ordered, n);
  }
}
