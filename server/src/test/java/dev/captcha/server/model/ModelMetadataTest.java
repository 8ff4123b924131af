package dev.captcha.server.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.captcha.server.testing.TinyOnnxModel;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelMetadataTest {

  @Test
  void parsesAValidFile() throws Exception {
    ModelMetadata m = ModelMetadata.parse(TinyOnnxModel.metadata());
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
      Map<String, String> meta = TinyOnnxModel.metadata();
      meta.remove(key);
      ModelFormatException e =
          assertThrows(ModelFormatException.class, () -> ModelMetadata.parse(meta));
      assertTrue(e.getMessage().contains(key), e.getMessage());
    }
  }

  @Test
  void provenanceIsOptional() throws Exception {
    Map<String, String> meta = TinyOnnxModel.metadata();
    meta.remove("captcha.validation.exact_accuracy");
    assertTrue(Float.isNaN(ModelMetadata.parse(meta).validationAccuracy()));
  }

  @Test
  void precisionIsFloat32UnlessTheFileSaysOtherwise() throws Exception {
    Map<String, String> meta = TinyOnnxModel.metadata();
    meta.remove("captcha.precision");
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
      Map<String, String> meta = TinyOnnxModel.metadata();
      meta.put((String) c[0], (String) c[1]);
      ModelFormatException e =
          assertThrows(ModelFormatException.class, () -> ModelMetadata.parse(meta), (String) c[0]);
      assertTrue(e.getMessage().contains((String) c[2]), e.getMessage());
    }
  }
}
