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
    Preprocessor.resizeBilinear(src, 0, 2, 1, out, 0, 4, 1, 1, 0);
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

  @Test
  void areaStretchAveragesFootprintsWhenShrinkingAndInterpolatesWhenGrowing() {
    float[] out = new float[2];
    // 3 samples to 2: each output covers 1.5 inputs
    Preprocessor.resizeAxis(new float[] {0, 90, 30}, 3, out, 2);
    assertArrayEquals(new float[] {(0 + 45) / 1.5f, (45 + 30) / 1.5f}, out, 1e-4f);
    float[] grown = new float[4];
    Preprocessor.resizeAxis(new float[] {0, 100}, 2, grown, 4);
    assertArrayEquals(new float[] {0, 25, 75, 100}, grown, 1e-4f);

    // 4x2 to 1x1 through the image path: the mean of all eight pixels, in RGB before min
    BufferedImage img = new BufferedImage(4, 2, BufferedImage.TYPE_INT_RGB);
    int[] grays = {0, 40, 80, 120, 160, 200, 240, 0};
    for (int i = 0; i < grays.length; i++) {
      int g = grays[i];
      img.setRGB(i % 4, i / 4, (g << 16) | (g << 8) | g);
    }
    InputSpec spec = new InputSpec(1, 1, 1, ColorMode.MIN_RGB, 1, 0, 1, ResizeRule.AREA_STRETCH);
    assertEquals(105f, new Preprocessor(spec).toTensor(img)[0], 1e-3f);
    // bilinear at 4x2 -> 1x1 samples between the middle pixels only
    float[] bilinear = new Preprocessor(spec.withResize(ResizeRule.BILINEAR_STRETCH)).toTensor(img);
    assertEquals((40 + 80 + 200 + 240) / 4f, bilinear[0], 1e-3f);
  }
}
