package dev.captcha.generator;

import java.util.SplittableRandom;

/**
 * The character modes of the captcha style and how characters are drawn from them; immutable and
 * thread-safe.
 */
public enum Charset {
  /** Digits, lower case and upper case: a group is chosen uniformly, then a character in it. */
  ALL("0123456789", "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
  /** Only the digits. */
  NUM("0123456789"),
  /** Only the lower-case letters. */
  LOWER("abcdefghijklmnopqrstuvwxyz"),
  /** Only the upper-case letters. */
  UPPER("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
  /** The 43 characters that are hard to confuse, drawn uniformly. */
  CLEAR("34578acdefghjkmnpqstwxyABCDEFGHJKMNPQRSVWXY");

  /** The 62 classes a model of the ALL mode predicts, in class-index order. */
  public static final String MODEL_CLASSES =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

  private final String[] groups;

  Charset(String... groups) {
    this.groups = groups;
  }

  /** Every character this mode can produce. */
  public String characters() {
    return String.join("", groups);
  }

  /**
   * The chance that {@link #draw} gives {@code c}: the share of each group holding it (groups are
   * equally likely) divided by that group's size; 0 for a character the mode never draws.
   */
  public double probability(char c) {
    double p = 0;
    for (String group : groups) {
      if (group.indexOf(c) >= 0) {
        p += 1.0 / groups.length / group.length();
      }
    }
    return p;
  }

  /** Draws one character: a uniform group, then a uniform character inside it. */
  char draw(SplittableRandom rnd) {
    String group = groups[groups.length == 1 ? 0 : rnd.nextInt(groups.length)];
    return group.charAt(rnd.nextInt(group.length()));
  }
}
