package dev.captcha.training.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LatencyBenchTest {

  @Test
  void medianAndPercentiles() {
    assertEquals(2.5, LatencyBench.percentile(new double[] {1, 2, 3, 4}, 0.5));
    assertEquals(3, LatencyBench.percentile(new double[] {1, 2, 3, 4, 5}, 0.5));
    assertEquals(9, LatencyBench.percentile(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.9));
    assertEquals(1, LatencyBench.percentile(new double[] {1}, 0.9));
  }

  @Test
  void rowDerivesPerImageFigures() {
    LatencyBench.Row r = new LatencyBench.Row(8, 10, 4.0, 5.0, 3.0);
    assertEquals(0.5, r.medianMsPerImage(), 1e-12);
    assertEquals(2000, r.imagesPerSecond(), 1e-9);
  }
}
