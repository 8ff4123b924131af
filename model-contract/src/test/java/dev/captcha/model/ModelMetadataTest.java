package dev.captcha.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelMetadataTest {

  /** A complete, valid set of metadata (the bundled model's layout), mutable. */
  static Map<String, String> valid() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("captcha.format", "1");
    m.put("captcha.model.name", "tiny-test");
    m.put("captcha.model.version", "0.0.1");
    m.put("captcha.charset", "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
    m.put("captcha.length", "4");
    m.put("captcha.decoder", "heads");
    m.put("captcha.input.name", "image");
    m.put("captcha.output.name", "logits");
    m.put("captcha.input.channels", "1");
    m.put("captcha.input.height", "64");
    m.put("captcha.input.width", "128");
    m.put("captcha.input.color", "min-rgb");
    m.put("captcha.input.scale", "0.00392156862745098");
    m.put("captcha.input.mean", "0");
    m.put("captcha.input.std", "1");
    m.put("captcha.input.resize", "bilinear-stretch");
    m.put("captcha.validation.exact_accuracy", "0.5");
    return m;
  }

  @Test
  void parsesAValidFile() throws Exception {
    ModelMetadata m = ModelMetadata.parse(valid());
    assertEquals("tiny-test", m.name());
    assertEquals(62, m.classes());
    assertEquals(4, m.length());
    assertEquals(new InputSpec(1, 64, 128, ColorMode.MIN_RGB, 1 / 255f, 0, 1), m.input());
    assertEquals(0.5f, m.validationAccuracy());
    assertEquals("captcha.charset", m.all().keySet().iterator().next(), "sorted by key");
  }

  @Test
  void everyRequiredKeyIsChecked() {
    for (String key : ModelMetadata.REQUIRED) {
      Map<String, String> meta = valid();
      meta.remove(key);
      ModelFormatException e =
          assertThrows(ModelFormatException.class, () -> ModelMetadata.parse(meta));
      assertTrue(e.getMessage().contains(key), e.getMessage());
    }
  }

  @Test
  void provenanceIsOptional() throws Exception {
    Map<String, String> meta = valid();
    meta.remove("captcha.validation.exact_accuracy");
    assertTrue(Float.isNaN(ModelMetadata.parse(meta).validationAccuracy()));
  }

  @Test
  void precisionIsFloat32UnlessTheFileSaysOtherwise() throws Exception {
    Map<String, String> meta = valid();
    assertEquals("float32", ModelMetadata.parse(meta).precision());
    meta.put("captcha.precision", "int8");
    assertEquals("int8", ModelMetadata.parse(meta).precision());
  }

  @Test
  void invalidValuesAreRefusedWithTheirKey() {
    Object[][] cases = {
      {"captcha.format", "2", "captcha.format"},
      {"captcha.length", "four", "captcha.length"},
      {"captcha.decoder", "ctc", "captcha.decoder"},
      {"captcha.input.color", "cmyk", "captcha.input.color"},
      {"captcha.input.resize", "crop", "captcha.input.resize"},
      {"captcha.input.std", "x", "captcha.input.std"},
      {"captcha.input.channels", "3", "channels"},
      {"captcha.charset", "aa", "captcha.charset"},
    };
    for (Object[] c : cases) {
      Map<String, String> meta = valid();
      meta.put((String) c[0], (String) c[1]);
      ModelFormatException e =
          assertThrows(ModelFormatException.class, () -> ModelMetadata.parse(meta), (String) c[0]);
      assertTrue(e.getMessage().contains((String) c[2]), e.getMessage());
    }
  }
}
