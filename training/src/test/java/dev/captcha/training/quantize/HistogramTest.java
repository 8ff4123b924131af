package dev.captcha.training.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HistogramTest {

  private static Histogram of(float[] v) {
    Histogram h = new Histogram();
    h.observe(v, v.length);
    h.add(v, v.length);
    return h;
  }

  @Test
  void minmaxIsTheObservedRangeAndAlwaysContainsZero() {
    Histogram h = of(new float[] {0.5f, 2f, 1f});
    assertEquals(new TensorRange(0, 2), h.range(CalibrationMethod.MINMAX, 100, 255));
    Histogram signed = of(new float[] {-1f, 3f});
    assertEquals(new TensorRange(-1, 3), signed.range(CalibrationMethod.MINMAX, 100, 255));
  }

  @Test
  void mseClipsALongThinTailWhereThatLowersTheError() {
    SplittableRandom rnd = new SplittableRandom(1);
    float[] v = new float[100_000];
    for (int i = 0; i < v.length; i++) {
      // two thirds exact zeros (as after a ReLU), the rest exponential: a long, thin tail
      v[i] = rnd.nextInt(3) == 0 ? (float) -Math.log(1 - rnd.nextDouble()) : 0f;
    }
    Histogram h = of(v);
    TensorRange mse = h.range(CalibrationMethod.MSE, 100, 255);
    TensorRange all = h.range(CalibrationMethod.MINMAX, 100, 255);
    assertEquals(0, mse.lo());
    assertTrue(mse.hi() < all.hi(), mse + " vs " + all);
    double best = h.expectedError(0, mse.hi(), 255);
    assertTrue(best < h.expectedError(0, all.hi(), 255));
    assertTrue(best <= h.expectedError(0, mse.hi() * 0.8, 255));
    assertTrue(best <= h.expectedError(0, Math.min(all.hi(), mse.hi() * 1.2), 255));
  }

  @Test
  void percentileCountsZeros() {
    float[] v = new float[1000];
    for (int i = 900; i < 1000; i++) {
      v[i] = 1f;
    }
    // 90% zeros: the 50th percentile is 0, the 99th is 1
    assertEquals(0, of(v).range(CalibrationMethod.PERCENTILE, 50, 255).hi(), 1e-9);
    assertEquals(1, of(v).range(CalibrationMethod.PERCENTILE, 99, 255).hi(), 1e-3);
  }

  @Test
  void u8ParamsPutZeroOnTheGrid() {
    ActivationType.QuantParams p = ActivationType.U8.params(new TensorRange(0, 2.55));
    assertEquals(0, p.zeroPoint());
    assertEquals(0.01f, p.scale(), 1e-7);
    ActivationType.QuantParams s = ActivationType.S8.params(new TensorRange(0, 2.55));
    assertEquals(-128, s.zeroPoint());
    ActivationType.QuantParams signed = ActivationType.U8.params(new TensorRange(-1, 1.55));
    assertEquals(100, signed.zeroPoint());
  }
}
