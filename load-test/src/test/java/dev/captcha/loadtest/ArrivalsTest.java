package dev.captcha.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ArrivalsTest {

  @Test
  void constantSpacingDoesNotDrift() {
    Arrivals.Schedule s = Arrivals.CONSTANT.schedule(3, 0);
    long last = 0;
    for (int i = 0; i < 3001; i++) {
      last = s.nextOffsetNanos();
    }
    assertEquals(1_000_000_000_000L, last, 1);
  }

  @Test
  void poissonGapsAverageTheRateAndVary() {
    Arrivals.Schedule s = Arrivals.POISSON.schedule(1000, 7);
    int n = 100_000;
    long prev = s.nextOffsetNanos();
    assertEquals(0, prev);
    long shortGaps = 0;
    long last = 0;
    for (int i = 1; i <= n; i++) {
      last = s.nextOffsetNanos();
      assertTrue(last >= prev);
      if (last - prev < 1_000_000 * Math.log(2)) {
        shortGaps++;
      }
      prev = last;
    }
    assertEquals(1e9 * n / 1000, last, 1e9 * n / 1000 * 0.02, "mean gap 1 ms");
    // Exponential gaps: half of them are shorter than ln(2) times the mean.
    assertEquals(0.5, (double) shortGaps / n, 0.01);
  }

  @Test
  void poissonIsReproducibleFromItsSeed() {
    Arrivals.Schedule a = Arrivals.POISSON.schedule(10, 3);
    Arrivals.Schedule b = Arrivals.POISSON.schedule(10, 3);
    for (int i = 0; i < 100; i++) {
      assertEquals(a.nextOffsetNanos(), b.nextOffsetNanos());
    }
  }

  @Test
  void rejectsNonPositiveRates() {
    assertThrows(IllegalArgumentException.class, () -> Arrivals.CONSTANT.schedule(0, 1));
    assertThrows(IllegalArgumentException.class, () -> Arrivals.POISSON.schedule(-1, 1));
    assertThrows(IllegalArgumentException.class, () -> Arrivals.POISSON.schedule(Double.NaN, 1));
  }
}
