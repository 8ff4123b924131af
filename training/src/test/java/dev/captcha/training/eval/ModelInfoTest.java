package dev.captcha.training.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.captcha.training.export.ModelMetadata;
import dev.captcha.training.model.CaptchaResNet;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelInfoTest {

  static Map<String, String> valid() {
    return new HashMap<>(ModelMetadata.required(CaptchaResNet.Spec.standard(4, 62), "m", "1"));
  }

  @Test
  void parsesTheExportedMetadata() {
    ModelInfo info = ModelInfo.parse(valid());
    assertEquals(62, info.classes());
    assertEquals(4, info.length());
    assertEquals(64 * 128, info.inputSize());
    assertEquals("image", info.inputName());
    assertEquals("logits", info.outputName());
  }

  @Test
  void everyRequiredKeyIsEnforcedByName() {
    for (String key : ModelMetadata.REQUIRED_KEYS) {
      Map<String, String> m = valid();
      m.remove(key);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelInfo.parse(m), key);
      assertTrue(e.getMessage().contains(key), e.getMessage());
    }
  }

  @Test
  void rejectsInconsistentOrUnsupportedValues() {
    Map<String, String> m = valid();
    m.put("captcha.input.channels", "3");
    assertThrows(IllegalArgumentException.class, () -> ModelInfo.parse(m));
    Map<String, String> ctc = valid();
    ctc.put("captcha.decoder", "ctc");
    assertThrows(IllegalArgumentException.class, () -> ModelInfo.parse(ctc));
    Map<String, String> bad = valid();
    bad.put("captcha.input.scale", "abc");
    assertThrows(IllegalArgumentException.class, () -> ModelInfo.parse(bad));
    Map<String, String> zero = valid();
    zero.put("captcha.input.std", "0");
    assertThrows(IllegalArgumentException.class, () -> ModelInfo.parse(zero));
    Map<String, String> format = valid();
    format.put("captcha.format", "2");
    assertThrows(IllegalArgumentException.class, () -> ModelInfo.parse(format));
  }
}
