package dev.captcha.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfidenceTallyTest {

  /** Ten captchas: confidences 0.05, 0.15, ..., 0.95; the five most confident are exact. */
  private static ConfidenceTally tenCaptchas() {
    ConfidenceTally t = new ConfidenceTally();
    for (int i = 0; i < 10; i++) {
      t.add(0.05 + 0.1 * i, i >= 5);
    }
    return t;
  }

  @Test
  void tableCountsCaptchasAtOrAboveEachThreshold() {
    ConfidenceTally t = tenCaptchas();
    t.add(0.5, false); // exactly at a threshold counts as accepted
    List<ConfidenceTally.Row> rows = t.rows(List.of(0.5, 0.8, 0.99));
    assertEquals(new ConfidenceTally.Row(0.5, 6, 5, 5, 0), rows.get(0));
    assertEquals(6 / 11.0, rows.get(0).share(), 1e-12);
    assertEquals(5 / 6.0, rows.get(0).accuracy(), 1e-12);
    assertEquals(0, rows.get(0).restAccuracy(), 1e-12);
    assertEquals(new ConfidenceTally.Row(0.8, 2, 2, 9, 3), rows.get(1));
    assertEquals(1.0, rows.get(1).accuracy(), 1e-12);
    assertEquals(3 / 9.0, rows.get(1).restAccuracy(), 1e-12);
    assertEquals(new ConfidenceTally.Row(0.99, 0, 0, 11, 5), rows.get(2));
    assertEquals(0, rows.get(2).share(), 1e-12);
    assertEquals(0, rows.get(2).accuracy(), 1e-12, "no captcha accepted: 0, not NaN");
  }

  @Test
  void defaultThresholds() {
    List<ConfidenceTally.Row> rows = tenCaptchas().rows();
    assertEquals(ConfidenceTally.THRESHOLDS.size(), rows.size());
    assertEquals(0.5, rows.get(0).threshold());
    assertEquals(0.99, rows.get(rows.size() - 1).threshold());
  }

  @Test
  void calibrationErrorOfKnownBins() {
    ConfidenceTally t = tenCaptchas();
    // One captcha per bin: |exact - confidence| is 0.05, 0.15, 0.25, 0.35, 0.45 for the wrong ones
    // and 0.45, 0.35, 0.25, 0.15, 0.05 for the right ones.
    assertEquals(2 * (0.05 + 0.15 + 0.25 + 0.35 + 0.45) / 10, t.expectedCalibrationError(), 1e-12);
    assertEquals(0.5, t.meanConfidence(), 1e-12);
    assertEquals(5, t.exact());

    ConfidenceTally calibrated = new ConfidenceTally();
    for (int i = 0; i < 10; i++) {
      calibrated.add(0.8, i < 8);
    }
    calibrated.add(1.0, true);
    assertEquals(0, calibrated.expectedCalibrationError(), 1e-12);
  }

  @Test
  void emptyTallyGivesZeros() {
    ConfidenceTally t = new ConfidenceTally();
    assertEquals(0, t.expectedCalibrationError());
    assertEquals(0, t.meanConfidence());
    assertEquals(new ConfidenceTally.Row(0.5, 0, 0, 0, 0), t.rows().get(0));
    assertTrue(t.format("").contains(">= 0.5"));
  }

  @Test
  void addAllAndFormat() {
    ConfidenceTally a = tenCaptchas();
    ConfidenceTally b = new ConfidenceTally();
    b.addAll(a);
    b.addAll(a);
    assertEquals(20, b.images());
    ConfidenceTally.Row r = a.rows().get(0);
    assertEquals(
        new ConfidenceTally.Row(0.5, 2 * r.accepted(), 2 * r.acceptedExact(), 2 * r.rest(), 0),
        b.rows().get(0));
    String text = a.format("  ");
    assertTrue(text.contains("  >= 0.95"), text);
    assertTrue(text.contains("expected calibration error 0.2500"), text);
    assertEquals(ConfidenceTally.THRESHOLDS.size() + 2, text.lines().count(), text);
  }

  @Test
  void rejectsConfidenceOutsideTheUnitInterval() {
    ConfidenceTally t = new ConfidenceTally();
    assertThrows(IllegalArgumentException.class, () -> t.add(-0.1, true));
    assertThrows(IllegalArgumentException.class, () -> t.add(1.5, true));
    assertThrows(IllegalArgumentException.class, () -> t.add(Double.NaN, true));
    t.add(1 + 1e-9, true);
    assertEquals(1, t.rows(List.of(1.0)).get(0).accepted());
  }
}
