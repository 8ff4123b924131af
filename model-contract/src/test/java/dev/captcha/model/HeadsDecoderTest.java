package dev.captcha.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

  @Test
  void temperatureSoftensProbabilitiesButKeepsTheText() {
    float[] logits = {9, 0, 0, 1, 2, 3, 0, 0, -50};
    HeadsDecoder plain = new HeadsDecoder("abc", 2, 3);
    HeadsDecoder warm = new HeadsDecoder("abc", 2, 3, 2.0);
    Prediction p = warm.decode(logits, 3);
    assertEquals(plain.decode(logits, 3).text(), p.text());
    double e = Math.exp(1.5);
    double p0 = e / (Math.exp(0.5) + Math.exp(1.0) + e);
    assertEquals(p0, p.positions().get(0).get(0).probability(), 1e-6);
    assertEquals(p0 * 0.5, p.confidence(), 1e-6);
    assertEquals(p.confidence(), warm.confidence(logits, 3), 1e-6);
    assertEquals(plain.decode(logits, 3).confidence(), plain.confidence(logits, 3), 1e-6);
    assertTrue(p.confidence() < plain.decode(logits, 3).confidence());
    assertEquals(2.0, warm.temperature());
  }

  @Test
  void temperatureMustBePositiveAndFinite() {
    for (double t : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertThrows(IllegalArgumentException.class, () -> new HeadsDecoder("ab", 1, 1, t));
    }
  }

  @Test
  void ofTakesTheTemperatureFromTheMetadata() throws Exception {
    var meta = ModelMetadataTest.valid();
    assertEquals(1.0, HeadsDecoder.of(ModelMetadata.parse(meta), 1).temperature());
    meta.put(ModelKeys.CONFIDENCE_TEMPERATURE, "1.75");
    HeadsDecoder d = HeadsDecoder.of(ModelMetadata.parse(meta), 2);
    assertEquals(1.75, d.temperature());
    assertEquals(62, d.classes());
  }
}
