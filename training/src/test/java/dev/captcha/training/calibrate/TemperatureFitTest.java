package dev.captcha.training.calibrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TemperatureFitTest {

  /**
   * Positions whose true class is drawn from softmax(g) for random logits g, presented to the fit
   * as logits g * t: the fitted temperature should come back as t.
   */
  private static double recovered(double t, long seed) {
    int positions = 20_000;
    int classes = 12;
    SplittableRandom random = new SplittableRandom(seed);
    float[] logits = new float[positions * classes];
    int[] targets = new int[positions];
    double[] g = new double[classes];
    for (int p = 0; p < positions; p++) {
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        g[c] = 3 * random.nextDouble() * random.nextDouble() * (random.nextBoolean() ? 2 : 1);
        sum += Math.exp(g[c]);
      }
      double u = random.nextDouble() * sum;
      int y = classes - 1;
      for (int c = 0; c < classes; c++) {
        u -= Math.exp(g[c]);
        if (u <= 0) {
          y = c;
          break;
        }
      }
      targets[p] = y;
      for (int c = 0; c < classes; c++) {
        logits[p * classes + c] = (float) (g[c] * t);
      }
    }
    double fitted = TemperatureFit.fit(logits, targets, classes);
    assertTrue(
        TemperatureFit.nll(logits, targets, classes, fitted)
            <= TemperatureFit.nll(logits, targets, classes, 1) + 1e-12);
    return fitted;
  }

  @Test
  void recoversAKnownTemperature() {
    assertEquals(2.5, recovered(2.5, 1), 2.5 * 0.06);
    assertEquals(0.6, recovered(0.6, 2), 0.6 * 0.06);
    assertEquals(1.0, recovered(1.0, 3), 0.06);
  }

  @Test
  void nllOfAKnownCase() {
    // One position, classes a, b: logits 2, 0, true class a.
    float[] logits = {2, 0};
    int[] targets = {0};
    assertEquals(Math.log(1 + Math.exp(-2)), TemperatureFit.nll(logits, targets, 2, 1), 1e-9);
    assertEquals(Math.log(1 + Math.exp(-1)), TemperatureFit.nll(logits, targets, 2, 2), 1e-9);
  }

  @Test
  void separableDataStopsAtTheSmallestTemperature() {
    float[] logits = {5, 0, 0, 5};
    int[] targets = {0, 1};
    assertEquals(TemperatureFit.MIN, TemperatureFit.fit(logits, targets, 2), 1e-6);
  }

  @Test
  void badInputIsRefused() {
    assertThrows(
        IllegalArgumentException.class, () -> TemperatureFit.fit(new float[0], new int[0], 2));
    assertThrows(
        IllegalArgumentException.class,
        () -> TemperatureFit.fit(new float[3], new int[] {0, 1}, 2));
    assertThrows(
        IllegalArgumentException.class,
        () -> TemperatureFit.fit(new float[4], new int[] {0, 2}, 2));
    assertThrows(
        IllegalArgumentException.class,
        () -> TemperatureFit.nll(new float[2], new int[] {0}, 2, 0));
  }
}
