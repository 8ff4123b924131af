package dev.captcha.server.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.captcha.model.ColorMode;
import dev.captcha.model.InputSpec;
import dev.captcha.model.Preprocessor;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImageDecoderTest {
  private static final int W = 128;
  private static final int H = 64;
  private static final InputSpec MIN_RGB = new InputSpec(1, H, W, ColorMode.MIN_RGB, 1f, 0f, 1f);

  private final ImageDecoder decoder = new ImageDecoder(ImageLimits.DEFAULT);
  private final Preprocessor pre = new Preprocessor(MIN_RGB);

  static byte[] encode(BufferedImage image, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(image, format, out), "no writer for " + format);
    return out.toByteArray();
  }

  /** Left half one colour, right half another. */
  private static BufferedImage halves(int type, Color left, Color right) {
    BufferedImage img = new BufferedImage(W, H, type);
    Graphics2D g = img.createGraphics();
    g.setComposite(java.awt.AlphaComposite.Src);
    g.setColor(left);
    g.fillRect(0, 0, W / 2, H);
    g.setColor(right);
    g.fillRect(W / 2, 0, W / 2, H);
    g.dispose();
    return img;
  }

  private float[] decodeToTensor(byte[] bytes) throws InvalidImageException {
    return pre.toTensor(decoder.decode(bytes));
  }

  private static void assertHalves(float[] t, float left, float right, float tolerance) {
    assertEquals(W * H, t.length);
    assertEquals(left, t[10 * W + 10], tolerance, "left half");
    assertEquals(right, t[10 * W + W - 10], tolerance, "right half");
  }

  @Test
  void pngRgb() throws Exception {
    byte[] png =
        encode(
            halves(BufferedImage.TYPE_INT_RGB, new Color(200, 100, 50), new Color(10, 20, 30)),
            "png");
    assertHalves(decodeToTensor(png), 50, 10, 0);
  }

  @Test
  void pngWithAlphaIsCompositedOverBlack() throws Exception {
    byte[] png =
        encode(
            halves(
                BufferedImage.TYPE_INT_ARGB,
                new Color(200, 100, 60, 128),
                new Color(10, 20, 30, 0)),
            "png");
    assertHalves(decodeToTensor(png), 60 * 128 / 255f, 0, 0.01f);
  }

  @Test
  void pngPalette() throws Exception {
    byte[] r = {(byte) 200, 10};
    byte[] g = {100, 20};
    byte[] b = {50, 30};
    BufferedImage img =
        new BufferedImage(
            W, H, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(8, 2, r, g, b));
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        img.getRaster().setSample(x, y, 0, x < W / 2 ? 0 : 1);
      }
    }
    assertHalves(decodeToTensor(encode(img, "png")), 50, 10, 0);
    assertHalves(decodeToTensor(encode(img, "gif")), 50, 10, 0);
  }

  @Test
  void pngGrayKeepsSampleValues() throws Exception {
    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        img.getRaster().setSample(x, y, 0, x < W / 2 ? 77 : 200);
      }
    }
    assertHalves(decodeToTensor(encode(img, "png")), 77, 200, 0);
  }

  @Test
  void png16BitGray() throws Exception {
    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_USHORT_GRAY);
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        img.getRaster().setSample(x, y, 0, x < W / 2 ? 0xffff : 0x8080);
      }
    }
    assertHalves(decodeToTensor(encode(img, "png")), 255, 128, 0.01f);
  }

  @Test
  void jpeg() throws Exception {
    byte[] jpg =
        encode(
            halves(BufferedImage.TYPE_INT_RGB, new Color(200, 100, 50), new Color(10, 20, 30)),
            "jpeg");
    assertHalves(decodeToTensor(jpg), 50, 10, 8);
  }

  @Test
  void gifFromRgb() throws Exception {
    byte[] gif = encode(halves(BufferedImage.TYPE_INT_RGB, Color.WHITE, Color.BLACK), "gif");
    assertHalves(decodeToTensor(gif), 255, 0, 0);
  }

  @Test
  void bmp() throws Exception {
    byte[] bmp =
        encode(
            halves(BufferedImage.TYPE_3BYTE_BGR, new Color(200, 100, 50), new Color(10, 20, 30)),
            "bmp");
    assertHalves(decodeToTensor(bmp), 50, 10, 0);
  }

  @Test
  void otherSizesAreStretchedToTheInput() throws Exception {
    BufferedImage big = new BufferedImage(300, 90, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = big.createGraphics();
    g.setColor(new Color(90, 90, 90));
    g.fillRect(0, 0, 150, 90);
    g.setColor(new Color(30, 30, 30));
    g.fillRect(150, 0, 150, 90);
    g.dispose();
    assertHalves(decodeToTensor(encode(big, "png")), 90, 30, 0.001f);
    BufferedImage tiny =
        halves(BufferedImage.TYPE_INT_RGB, Color.WHITE, Color.WHITE).getSubimage(0, 0, 4, 2);
    float[] t = decodeToTensor(encode(tiny, "png"));
    assertTrue(Arrays.stream(toDoubles(t)).allMatch(v -> v == 255));
  }

  @Test
  void emptyImageIsRefused() {
    InvalidImageException e =
        assertThrows(InvalidImageException.class, () -> decoder.decode(new byte[0]));
    assertEquals(InvalidImageException.Reason.EMPTY, e.reason());
    assertEquals(
        InvalidImageException.Reason.EMPTY,
        assertThrows(InvalidImageException.class, () -> decoder.decode(null)).reason());
  }

  @Test
  void garbageIsRefused() {
    InvalidImageException e =
        assertThrows(
            InvalidImageException.class,
            () -> decoder.decode("not an image at all".getBytes(StandardCharsets.UTF_8)));
    assertEquals(InvalidImageException.Reason.UNDECODABLE, e.reason());
    assertTrue(e.getMessage().contains("PNG, JPEG, GIF or BMP"), e.getMessage());
  }

  @Test
  void truncatedPngIsRefused() throws Exception {
    byte[] png = encode(halves(BufferedImage.TYPE_INT_RGB, Color.RED, Color.BLUE), "png");
    byte[] cut = Arrays.copyOf(png, png.length / 2);
    InvalidImageException e = assertThrows(InvalidImageException.class, () -> decoder.decode(cut));
    assertEquals(InvalidImageException.Reason.UNDECODABLE, e.reason());
  }

  @Test
  void unsupportedFormatIsRefused() throws Exception {
    byte[] tiff = encode(halves(BufferedImage.TYPE_INT_RGB, Color.RED, Color.BLUE), "tiff");
    InvalidImageException e = assertThrows(InvalidImageException.class, () -> decoder.decode(tiff));
    assertEquals(InvalidImageException.Reason.UNDECODABLE, e.reason());
  }

  @Test
  void oversizedBytesAreRefused() {
    ImageDecoder small = new ImageDecoder(new ImageLimits(100, 2048, 1 << 20));
    InvalidImageException e =
        assertThrows(InvalidImageException.class, () -> small.decode(new byte[101]));
    assertEquals(InvalidImageException.Reason.OVERSIZED, e.reason());
  }

  @Test
  void decompressionBombIsRefusedFromItsHeader() throws Exception {
    byte[] bomb = pngHeaderOnly(100_000, 100_000);
    InvalidImageException e = assertThrows(InvalidImageException.class, () -> decoder.decode(bomb));
    assertEquals(InvalidImageException.Reason.ABSURD_DIMENSIONS, e.reason());
    assertTrue(e.getMessage().contains("100000x100000"), e.getMessage());
  }

  @Test
  void tooManyPixelsAreRefusedEvenWithinTheSideLimit() throws Exception {
    ImageDecoder strict = new ImageDecoder(new ImageLimits(1 << 20, 2048, 1000));
    byte[] png = encode(new BufferedImage(100, 20, BufferedImage.TYPE_INT_RGB), "png");
    assertEquals(
        InvalidImageException.Reason.ABSURD_DIMENSIONS,
        assertThrows(InvalidImageException.class, () -> strict.decode(png)).reason());
  }

  @Test
  void oneThreadDecodesEveryFormatInTurnAndRecoversFromABrokenImage() throws Exception {
    BufferedImage source = halves(BufferedImage.TYPE_INT_RGB, Color.RED, Color.BLUE);
    BufferedImage other = halves(BufferedImage.TYPE_INT_RGB, Color.GREEN, Color.WHITE);
    byte[][] images = {
      encode(source, "png"),
      encode(source, "jpeg"),
      encode(source, "gif"),
      encode(source, "bmp"),
      encode(other, "png"),
      encode(other, "bmp"),
    };
    byte[] truncated = Arrays.copyOf(images[0], images[0].length / 2);
    for (int round = 0; round < 3; round++) {
      for (byte[] bytes : images) {
        BufferedImage expected = ImageIO.read(new ByteArrayInputStream(bytes));
        BufferedImage got = decoder.decode(bytes);
        assertEquals(expected.getWidth(), got.getWidth());
        assertEquals(expected.getHeight(), got.getHeight());
        for (int y = 0; y < H; y += 7) {
          for (int x = 0; x < W; x += 5) {
            assertEquals(expected.getRGB(x, y), got.getRGB(x, y), "pixel " + x + "," + y);
          }
        }
      }
      assertEquals(
          InvalidImageException.Reason.UNDECODABLE,
          assertThrows(InvalidImageException.class, () -> decoder.decode(truncated)).reason());
    }
  }

  @Test
  void theFormatIsToldFromTheSignature() {
    assertEquals(
        ImageDecoder.Format.PNG,
        ImageDecoder.Format.of(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}));
    assertEquals(
        ImageDecoder.Format.JPEG, ImageDecoder.Format.of(new byte[] {(byte) 0xff, (byte) 0xd8}));
    assertEquals(
        ImageDecoder.Format.GIF,
        ImageDecoder.Format.of("GIF87a".getBytes(StandardCharsets.US_ASCII)));
    assertEquals(
        ImageDecoder.Format.GIF,
        ImageDecoder.Format.of("GIF89a".getBytes(StandardCharsets.US_ASCII)));
    assertEquals(
        ImageDecoder.Format.BMP, ImageDecoder.Format.of("BM".getBytes(StandardCharsets.US_ASCII)));
    assertNull(ImageDecoder.Format.of("GIF88a".getBytes(StandardCharsets.US_ASCII)));
    assertNull(ImageDecoder.Format.of(new byte[] {(byte) 0x89, 'P', 'N', 'G'}));
    assertNull(ImageDecoder.Format.of("II*\0".getBytes(StandardCharsets.US_ASCII)));
  }

  static byte[] pngHeaderOnly(int width, int height) throws IOException {
    return dev.captcha.server.testsupport.Images.pngHeaderOnly(width, height);
  }

  private static double[] toDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}
