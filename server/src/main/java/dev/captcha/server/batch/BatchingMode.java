package dev.captcha.server.batch;

/** How the batcher decides how long to wait for a batch to fill. */
public enum BatchingMode {
  /**
   * An idle instance takes what is queued at once; it holds back for a fuller batch only where the
   * measured batch cost says that raises throughput, and never past the max queue delay.
   */
  WORK_CONSERVING("work-conserving"),
  /** Wait for a full batch up to the configured max queue delay, counted from arrival. */
  FIXED("fixed"),
  /**
   * Work-conserving, with any hold for a fuller batch bounded by the latency budget less the
   * batch's measured cost instead of by the max queue delay.
   */
  LATENCY_BUDGET("latency-budget");

  private final String label;

  BatchingMode(String label) {
    this.label = label;
  }

  /** The name used on the command line and in the API, for example "work-conserving". */
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
        "unknown batching mode '"
            + label
            + "' (expected work-conserving, fixed or latency-budget)");
  }
}
