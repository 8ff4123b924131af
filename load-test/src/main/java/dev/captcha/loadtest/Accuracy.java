package dev.captcha.loadtest;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How many answers matched their labels: exactly, ignoring case, and with the look-alike groups
 * {0,O,o} and {1,l,I} merged as well; immutable.
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

  /** Whether {@code answer} equals {@code label} ignoring case. */
  static boolean caseFoldedMatch(String label, String answer) {
    return label.equalsIgnoreCase(answer);
  }

  /** Whether {@code answer} equals {@code label} ignoring case and look-alike characters. */
  static boolean mergedMatch(String label, String answer) {
    return label.length() == answer.length() && merge(label).equals(merge(answer));
  }

  private static String merge(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case 'O', 'o' -> b.append('0');
        case 'l', 'I' -> b.append('1');
        default -> b.append(Character.toLowerCase(c));
      }
    }
    return b.toString();
  }
}
