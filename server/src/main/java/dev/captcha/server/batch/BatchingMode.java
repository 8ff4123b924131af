package dev.captcha.server.batch;

/** How the batcher decides how long to wait for a batch to fill. */
public enum BatchingMode {
  /** Wait up to the configured max queue delay, counted from a request's arrival. */
  FIXED("fixed"),
  /**
   * Measure the engine's batch cost online and pick the wait and the batch size so that a request
   * finishes within the latency budget.
   */
  LATENCY_BUDGET("latency-budget");

  private final String label;

  BatchingMode(String label) {
    this.label = label;
  }

  /** The name used on the command line and in the API ("fixed" or "latency-budget"). */
  public String label() {
    return label;
  }

  /** Parses a label as returned by {@link #label()}. */
  public static BatchingMode parse(String label) {
    for (BatchingMode m : values()) {
      if (m.label.equalsIgnoreCase(label) || m.name().equalsIgnoreCase(label)) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "unknown batching mode '" + label + "' (expected fixed or latency-budget)");
  }
}
