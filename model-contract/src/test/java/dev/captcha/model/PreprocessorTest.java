package dev.captcha.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class PreprocessorTest {

  private static BufferedImage pixel(int argb, int type) {
    BufferedImage img = new BufferedImage(2, 1, type);
    img.setRGB(0, 0, argb);
    img.setRGB(1, 0, argb);
    return img;
  }

  @Test
  void colourModesAndNormalisation() {
    BufferedImage img = pixel(0xff_c8_64_32, BufferedImage.TYPE_INT_RGB); // 200, 100, 50
    float[] min =
        new Preprocessor(new InputSpec(1, 1, 2, ColorMode.MIN_RGB, 1 / 255f, 0, 1)).toTensor(img);
    assertArrayEquals(new float[] {50 / 255f, 50 / 255f}, min, 1e-6f);
    float[] gray = new Preprocessor(new InputSpec(1, 1, 2, ColorMode.GRAY, 1, 0, 1)).toTensor(img);
    assertEquals(0.299f * 200 + 0.587f * 100 + 0.114f * 50, gray[0], 1e-3f);
    float[] rgb = new Preprocessor(new InputSpec(3, 1, 2, ColorMode.RGB, 1, 100, 2)).toTensor(img);
    assertArrayEquals(new float[] {50, 50, 0, 0, -25, -25}, rgb, 1e-5f);
  }

  @Test
  void byteRastersMatchTheGenericPath() {
    int argb = 0x80_c8_64_32;
    InputSpec spec = new InputSpec(3, 1, 2, ColorMode.RGB, 1, 0, 1);
    Preprocessor p = new Preprocessor(spec);
    float[] viaBytes = p.toTensor(pixel(argb, BufferedImage.TYPE_4BYTE_ABGR));
    float[] viaInts = p.toTensor(pixel(argb, BufferedImage.TYPE_INT_ARGB));
    assertArrayEquals(viaInts, viaBytes, 1e-4f);
    assertEquals(200 * 128 / 255f, viaBytes[0], 1e-3f);
    float[] bgr = p.toTensor(pixel(argb | 0xff000000, BufferedImage.TYPE_3BYTE_BGR));
    assertArrayEquals(new float[] {200, 200, 100, 100, 50, 50}, bgr, 1e-5f);
  }

  @Test
  void bilinearStretchInterpolatesBetweenPixelCentres() {
    float[] src = {0, 100};
    float[] out = new float[4];
    Preprocessor.resizeBilinear(src, 2, 1, out, 0, 4, 1, 1, 0);
    assertArrayEquals(new float[] {0, 25, 75, 100}, out, 1e-4f);
  }

  @Test
  void resizingHappensInRgbBeforeTheColourTransform() {
    BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
    img.setRGB(0, 0, 0xff00ff); // magenta: min 0
    img.setRGB(1, 0, 0x00ffff); // cyan: min 0
    float[] out =
        new Preprocessor(new InputSpec(1, 1, 1, ColorMode.MIN_RGB, 1, 0, 1)).toTensor(img);
    // Their RGB average (127.5, 127.5, 255) has a minimum of 127.5; min-then-resize would give 0.
    assertEquals(127.5f, out[0], 1e-3f);
  }
}
