package dev.captcha.model;

import java.util.List;

/**
 * The decoded answer for one captcha; immutable.
 *
 * @param text the top character at each position
 * @param confidence product over positions of the top probability
 * @param positions per position, the most probable candidates, best first
 */
public record Prediction(String text, float confidence, List<List<Candidate>> positions) {
  public Prediction {
    positions = List.copyOf(positions);
  }
}
