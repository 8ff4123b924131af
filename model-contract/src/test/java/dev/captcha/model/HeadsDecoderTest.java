package dev.captcha.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HeadsDecoderTest {

  @Test
  void softmaxTopKAndConfidence() {
    HeadsDecoder d = new HeadsDecoder("abc", 2, 2);
    // Position 0 favours c, position 1 is uniform between a and b with c far below.
    float[] logits = {9, 0, 0, 1, 2, 3, 0, 0, -50};
    Prediction p = d.decode(logits, 3);
    assertEquals("ca", p.text());
    assertEquals("c", p.positions().get(0).get(0).character());
    assertEquals("b", p.positions().get(0).get(1).character());
    double e3 = Math.exp(3);
    double p0 = e3 / (Math.exp(1) + Math.exp(2) + e3);
    assertEquals(p0, p.positions().get(0).get(0).probability(), 1e-6);
    assertEquals(0.5, p.positions().get(1).get(0).probability(), 1e-6);
    assertEquals(0.5, p.positions().get(1).get(1).probability(), 1e-6);
    assertEquals(p0 * 0.5, p.confidence(), 1e-6);
  }

  @Test
  void topKIsCappedByTheCharset() {
    HeadsDecoder d = new HeadsDecoder("xy", 1, 5);
    Prediction p = d.decode(new float[] {0, 1}, 0);
    assertEquals("y", p.text());
    assertEquals(2, p.positions().get(0).size());
  }

  @Test
  void handlesCodePointsBeyondTheBasicPlane() {
    HeadsDecoder d = new HeadsDecoder("a\uD83D\uDE00", 1, 1);
    assertEquals(2, d.classes());
    assertEquals("\uD83D\uDE00", d.decode(new float[] {0, 5}, 0).text());
  }
}
