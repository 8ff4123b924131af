package dev.captcha.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
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

  /** The style's backgrounds: red, green, blue, yellow, magenta, cyan, orange, gray. */
  private static final int[] PALETTE = {
    0xff0000, 0x00ff00, 0x0000ff, 0xffff00, 0xff00ff, 0x00ffff, 0xffa500, 0x808080
  };

  private static final InputSpec MIN = new InputSpec(1, 64, 128, ColorMode.MIN_RGB, 1, 0, 1);
  private static final InputSpec TEXT = MIN.withColor(ColorMode.TEXT_ALPHA);

  /** White text, dots and a line, anti-aliased, over a solid background: what the style draws. */
  private static BufferedImage captchaLike(int background, long seed) {
    BufferedImage img = new BufferedImage(128, 64, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(background));
    g.fillRect(0, 0, 128, 64);
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    Random r = new Random(seed);
    for (int i = 0; i < 8; i++) {
      g.fillOval(r.nextInt(124), r.nextInt(60), 4, 4);
      g.drawLine(r.nextInt(128), r.nextInt(64), r.nextInt(128), r.nextInt(64));
    }
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 38));
    g.rotate(Math.toRadians(r.nextInt(40) - 20), 64, 32);
    g.drawString("l0Og", 14, 46);
    g.dispose();
    return img;
  }

  private static BufferedImage jpeg(BufferedImage image, float quality) throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(quality);
      writer.setOutput(out);
      writer.write(null, new IIOImage(image, null, null), param);
    } finally {
      writer.dispose();
    }
    return ImageIO.read(new ByteArrayInputStream(bytes.toByteArray()));
  }

  private static double meanAbsoluteDifference(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += Math.abs(a[i] - b[i]);
    }
    return sum / a.length;
  }

  @Test
  void textAlphaEqualsMinRgbWhereEveryPixelBlendsTheBackgroundWithWhite() {
    for (int background : PALETTE) {
      BufferedImage img = captchaLike(background, background);
      float[] min = new Preprocessor(MIN).toTensor(img);
      float[] text = new Preprocessor(TEXT).toTensor(img);
      // Channels are whole numbers, so a blend is exact only to their rounding, which the
      // luma-weighted measure amplifies where the background is bright (orange: 1.5 levels).
      assertArrayEquals(min, text, 1.6f, String.format("background %06x", background));
      assertTrue(meanAbsoluteDifference(min, text) < 0.1);
      BufferedImage larger = new BufferedImage(256, 128, BufferedImage.TYPE_INT_RGB);
      Graphics2D g = larger.createGraphics();
      g.drawImage(img, 0, 0, 256, 128, null);
      g.dispose();
      assertArrayEquals(
          new Preprocessor(MIN).toTensor(larger),
          new Preprocessor(TEXT).toTensor(larger),
          1.6f,
          String.format("background %06x, 256x128", background));
    }
  }

  @Test
  void textAlphaReadsJpegCompressedImagesCloserToTheirCleanInputThanMinRgb() throws IOException {
    // Per background the two are close where luma and the colour channels carry the text alike
    // (red, yellow); over the palette text-alpha is nearer the clean input, far nearer on the
    // backgrounds whose text shows mostly in luma (orange, gray).
    double minTotal = 0;
    double textTotal = 0;
    StringBuilder seen = new StringBuilder();
    for (int background : PALETTE) {
      BufferedImage clean = captchaLike(background, 7 * background + 1);
      float[] truth = new Preprocessor(MIN).toTensor(clean);
      BufferedImage compressed = jpeg(clean, 0.5f);
      double minError = meanAbsoluteDifference(truth, new Preprocessor(MIN).toTensor(compressed));
      double textError = meanAbsoluteDifference(truth, new Preprocessor(TEXT).toTensor(compressed));
      minTotal += minError;
      textTotal += textError;
      seen.append(String.format(" %06x %.2f/%.2f", background, textError, minError));
      if (background == 0xffa500 || background == 0x808080) {
        assertTrue(textError < 0.8 * minError, "text-alpha/min-rgb levels off:" + seen);
      }
    }
    assertTrue(textTotal < 0.95 * minTotal, "text-alpha/min-rgb levels off:" + seen);
  }

  @Test
  void textAlphaFallsBackToMinRgbOnABackgroundNearWhite() {
    BufferedImage img = captchaLike(0xf0f0f0, 3);
    img.setRGB(5, 5, 0x102030);
    assertArrayEquals(
        new Preprocessor(MIN).toTensor(img), new Preprocessor(TEXT).toTensor(img), 1e-4f);
  }

  @Test
  void textAlphaClampsToTheBackgroundAndWhite() {
    BufferedImage img = captchaLike(0x0000ff, 5);
    img.setRGB(0, 0, 0x000000); // darker than the background: clamped to it
    img.setRGB(1, 0, 0xffffff);
    float[] text = new Preprocessor(TEXT.withResize(ResizeRule.BILINEAR_STRETCH)).toTensor(img);
    assertEquals(0f, text[0], 1e-4f);
    assertEquals(255f, text[1], 1e-4f);
    for (float v : text) {
      assertTrue(v >= 0f && v <= 255f, "value " + v);
    }
  }

  /** The tensor of {@code image} computed on a thread of its own, whose scratch starts empty. */
  private static float[] onFreshThread(Preprocessor pre, BufferedImage image) throws Exception {
    float[][] out = new float[1][];
    Thread t = new Thread(() -> out[0] = pre.toTensor(image));
    t.start();
    t.join();
    return out[0];
  }

  @Test
  void oneThreadsScratchPlanesCarryNothingFromOneImageToTheNext() throws Exception {
    Preprocessor text = new Preprocessor(TEXT);
    Preprocessor small = new Preprocessor(new InputSpec(3, 2, 3, ColorMode.RGB, 1, 0, 1));
    BufferedImage a = captchaLike(0x0000ff, 11);
    BufferedImage b = captchaLike(0xffa500, 12);
    BufferedImage larger = new BufferedImage(256, 128, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = larger.createGraphics();
    g.drawImage(captchaLike(0x808080, 13), 0, 0, 256, 128, null);
    g.dispose();
    float[] expectA = onFreshThread(text, a);
    float[] expectSmall = onFreshThread(small, larger);
    float[] expectB = onFreshThread(text, b);
    float[] expectLarger = onFreshThread(text, larger);
    for (int round = 0; round < 2; round++) {
      assertArrayEquals(expectA, text.toTensor(a));
      assertArrayEquals(expectSmall, small.toTensor(larger));
      assertArrayEquals(expectB, text.toTensor(b));
      assertArrayEquals(expectLarger, text.toTensor(larger));
    }
  }
}
