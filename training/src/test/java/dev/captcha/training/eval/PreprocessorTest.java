package dev.captcha.training.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.captcha.generator.Captcha;
import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.FontCatalog;
import dev.captcha.training.data.ImageTensors;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PreprocessorTest {

  private static ModelInfo info(String color, int channels) {
    Map<String, String> m = ModelInfoTest.valid();
    m.put("captcha.input.color", color);
    m.put("captcha.input.channels", Integer.toString(channels));
    return ModelInfo.parse(m);
  }

  @Test
  void minRgbMatchesTheTrainingTensors() {
    CaptchaGenerator g = CaptchaGenerator.builder()
        .fonts(FontCatalog.scanDefault().resolve(java.util.List.of("DejaVu Sans"))).build();
    Captcha c = g.generate(5, 0);
    float[] expected = new float[64 * 128];
    ImageTensors.minRgb(c.image(), expected, 0);
    float[] actual = new float[64 * 128 + 10];
    new Preprocessor(info("min-rgb", 1)).write(c.image(), actual, 10);
    float[] shifted = new float[64 * 128];
    System.arraycopy(actual, 10, shifted, 0, shifted.length);
    assertArrayEquals(expected, shifted, 1e-7f);
  }

  @Test
  void otherSizesAreStretchedToTheModelSize() {
    BufferedImage big = solid(300, 90, BufferedImage.TYPE_INT_RGB, new Color(200, 100, 50));
    float[] out = new float[64 * 128];
    new Preprocessor(info("min-rgb", 1)).write(big, out, 0);
    for (float v : out) {
      assertEquals(50 / 255f, v, 1e-6f);
    }
  }

  @Test
  void alphaIsCompositedOverBlack() {
    BufferedImage img = new BufferedImage(128, 64, BufferedImage.TYPE_INT_ARGB);
    img.setRGB(0, 0, 0x00FFFFFF); // transparent white
    img.setRGB(1, 0, 0xFFFFFFFF); // opaque white
    img.setRGB(2, 0, 0x80FFFFFF); // half-transparent white
    float[] out = new float[64 * 128];
    new Preprocessor(info("min-rgb", 1)).write(img, out, 0);
    assertEquals(0f, out[0], 1e-6f);
    assertEquals(1f, out[1], 1e-6f);
    assertEquals(0.5f, out[2], 0.01f);
  }

  @Test
  void grayAndRgbColourTransforms() {
    BufferedImage img = solid(128, 64, BufferedImage.TYPE_INT_RGB, new Color(255, 0, 0));
    float[] gray = new float[64 * 128];
    new Preprocessor(info("gray", 1)).write(img, gray, 0);
    assertEquals(0.299f, gray[77], 1e-5f);
    float[] rgb = new float[3 * 64 * 128];
    new Preprocessor(info("rgb", 3)).write(img, rgb, 0);
    assertEquals(1f, rgb[5], 1e-6f);
    assertEquals(0f, rgb[64 * 128 + 5], 1e-6f);
    assertEquals(0f, rgb[2 * 64 * 128 + 5], 1e-6f);
  }

  @Test
  void meanAndStdAreApplied() {
    Map<String, String> m = ModelInfoTest.valid();
    m.put("captcha.input.mean", "0.5");
    m.put("captcha.input.std", "0.25");
    BufferedImage white = solid(128, 64, BufferedImage.TYPE_INT_RGB, Color.WHITE);
    float[] out = new float[64 * 128];
    new Preprocessor(ModelInfo.parse(m)).write(white, out, 0);
    assertEquals(2f, out[0], 1e-5f);
  }

  private static BufferedImage solid(int w, int h, int type, Color c) {
    BufferedImage img = new BufferedImage(w, h, type);
    Graphics2D g = img.createGraphics();
    g.setColor(c);
    g.fillRect(0, 0, w, h);
    g.dispose();
    return img;
  }
}
