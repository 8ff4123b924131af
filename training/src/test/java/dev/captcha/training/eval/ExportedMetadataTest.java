package dev.captcha.training.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.captcha.generator.Captcha;
import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.FontCatalog;
import dev.captcha.model.ColorMode;
import dev.captcha.model.InputSpec;
import dev.captcha.model.ModelKeys;
import dev.captcha.model.ModelMetadata;
import dev.captcha.model.Preprocessor;
import dev.captcha.training.data.ImageTensors;
import dev.captcha.training.model.CaptchaResNet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the exporter writes is what the shared contract reads, and feeds what training trained on.
 */
class ExportedMetadataTest {

  private static ModelMetadata exported() throws Exception {
    return ModelMetadata.parse(
        dev.captcha.training.export.ModelMetadata.required(
            CaptchaResNet.Spec.standard(4, 62), "m", "1"));
  }

  @Test
  void parsesTheExportedMetadata() throws Exception {
    ModelMetadata info = exported();
    assertEquals(62, info.classes());
    assertEquals(4, info.length());
    assertEquals(
        new InputSpec(1, 64, 128, ColorMode.MIN_RGB, ImageTensors.SCALE, 0, 1), info.input());
    assertEquals("image", info.inputName());
    assertEquals("logits", info.outputName());
    assertEquals(ModelKeys.REQUIRED, dev.captcha.training.export.ModelMetadata.REQUIRED_KEYS);
  }

  @Test
  void theExportedInputIsTheTrainingTensor() throws Exception {
    CaptchaGenerator g =
        CaptchaGenerator.builder()
            .fonts(FontCatalog.scanDefault().resolve(List.of("DejaVu Sans")))
            .build();
    Captcha c = g.generate(5, 0);
    float[] expected = new float[64 * 128];
    ImageTensors.input(c.image(), dev.captcha.model.ColorMode.MIN_RGB, expected, 0);
    float[] actual = new float[64 * 128 + 10];
    new Preprocessor(exported().input()).toTensor(c.image(), actual, 10);
    float[] shifted = new float[64 * 128];
    System.arraycopy(actual, 10, shifted, 0, shifted.length);
    assertArrayEquals(expected, shifted);
  }
}
