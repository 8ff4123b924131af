package dev.captcha.loadtest;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How many answers matched their labels: exactly, ignoring case, and with the look-alike groups
 * {0,O,o} and {1,l,I} merged as well (the folds of the model contract's {@code Tally}); immutable.
 */
record Accuracy(long labelled, long exact, long caseFolded, long confusablesMerged) {

  /** Share of labelled answers that matched exactly (0 when none were labelled). */
  @JsonProperty
  public double exactShare() {
    return share(exact);
  }

  /** Share of labelled answers that matched ignoring case. */
  @JsonProperty
  public double caseFoldedShare() {
    return share(caseFolded);
  }

  /** Share of labelled answers that matched ignoring case and look-alike characters. */
  @JsonProperty
  public double confusablesMergedShare() {
    return share(confusablesMerged);
  }

  private double share(long n) {
    return labelled == 0 ? 0 : (double) n / labelled;
  }
}
