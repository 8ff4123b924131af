package dev.captcha.generator;

/** Disturbance levels: the number of dots and of lines drawn under the text. */
public enum Disturbance {
  NORMAL(4),
  MEDIUM(8),
  HIGH(16);

  private final int count;

  Disturbance(int count) {
    this.count = count;
  }

  /** Number of dots, and also of lines. */
  public int count() {
    return count;
  }
}
