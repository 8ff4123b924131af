package dev.captcha.server.robustness;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;

/** Unusual and broken encoded images for robustness tests; stateless. */
final class BadImages {
  private BadImages() {}

  /** Images every decoder should read: unusual formats, bit depths, colour models and shapes. */
  static Map<String, byte[]> readable() throws IOException {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("1x1 png", encode(drawn(1, 1, BufferedImage.TYPE_INT_RGB), "png"));
    m.put("very wide png 2048x16", encode(drawn(2048, 16, BufferedImage.TYPE_INT_RGB), "png"));
    m.put("very tall png 16x2048", encode(drawn(16, 2048, BufferedImage.TYPE_INT_RGB), "png"));
    m.put("16-bit grey png", encode(drawn(128, 64, BufferedImage.TYPE_USHORT_GRAY), "png"));
    m.put("8-bit grey png", encode(drawn(128, 64, BufferedImage.TYPE_BYTE_GRAY), "png"));
    m.put("palette png", encode(drawn(128, 64, BufferedImage.TYPE_BYTE_INDEXED), "png"));
    m.put("1-bit png", encode(drawn(128, 64, BufferedImage.TYPE_BYTE_BINARY), "png"));
    m.put("alpha png", encode(translucent(), "png"));
    m.put("grey jpeg", encode(drawn(128, 64, BufferedImage.TYPE_BYTE_GRAY), "jpeg"));
    m.put("rgb jpeg", encode(drawn(128, 64, BufferedImage.TYPE_INT_RGB), "jpeg"));
    m.put("bmp", encode(drawn(128, 64, BufferedImage.TYPE_INT_RGB), "bmp"));
    m.put("gif", encode(drawn(128, 64, BufferedImage.TYPE_BYTE_INDEXED), "gif"));
    m.put("animated gif", animatedGif());
    return m;
  }

  /** Inputs that must be refused with INVALID_ARGUMENT. */
  static Map<String, byte[]> refused() throws IOException {
    Map<String, byte[]> m = new LinkedHashMap<>();
    byte[] png = encode(drawn(128, 64, BufferedImage.TYPE_INT_RGB), "png");
    byte[] jpeg = encode(drawn(128, 64, BufferedImage.TYPE_INT_RGB), "jpeg");
    byte[] random = new byte[4096];
    new Random(7).nextBytes(random);
    m.put("empty", new byte[0]);
    m.put("random bytes", random);
    m.put("text", "hello, this is not an image".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    m.put("png signature only", Arrays.copyOf(png, 8));
    m.put("truncated png", Arrays.copyOf(png, png.length / 2));
    m.put("jpeg header only", Arrays.copyOf(jpeg, 20));
    m.put("png claiming 100000x100000", pngHeader(100_000, 100_000));
    m.put("png claiming 2048x2048 without pixels", pngHeader(2048, 2048));
    m.put("png claiming 0x0", pngHeader(0, 0));
    m.put("too wide png 4096x8", encode(drawn(4096, 8, BufferedImage.TYPE_BYTE_GRAY), "png"));
    m.put("tiff", tiff());
    return m;
  }

  /**
   * Inputs a decoder may read (filling in what is missing) or refuse: either is right, as long as a
   * refusal says why.
   */
  static Map<String, byte[]> answeredOrRefused() throws IOException {
    Map<String, byte[]> m = new LinkedHashMap<>();
    byte[] jpeg = encode(drawn(128, 64, BufferedImage.TYPE_INT_RGB), "jpeg");
    m.put("truncated jpeg", Arrays.copyOf(jpeg, jpeg.length / 2));
    m.put("cmyk jpeg", cmykJpeg());
    return m;
  }

  /** A four-channel (CMYK-style) JPEG without a colour transform marker. */
  static byte[] cmykJpeg() throws IOException {
    WritableRaster raster =
        WritableRaster.createInterleavedRaster(
            java.awt.image.DataBuffer.TYPE_BYTE, 64, 32, 4, null);
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 64; x++) {
        raster.setPixel(x, y, new int[] {x * 4, y * 8, 0, (x + y) % 2 == 0 ? 0 : 200});
      }
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
      writer.setOutput(ios);
      writer.write(null, new IIOImage(raster, null, null), null);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }

  /** A PNG signature and an IHDR claiming the given size, then IEND: no pixel data at all. */
  static byte[] pngHeader(int width, int height) throws IOException {
    return dev.captcha.server.testsupport.Images.pngHeaderOnly(width, height);
  }

  static byte[] encode(BufferedImage image, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (!ImageIO.write(image, format, out)) {
      throw new IOException("no " + format + " writer for image type " + image.getType());
    }
    return out.toByteArray();
  }

  /** Dark strokes on a light background, in the given image type. */
  static BufferedImage drawn(int width, int height, int type) {
    BufferedImage image = new BufferedImage(width, height, type);
    Graphics2D g = image.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    g.setColor(Color.DARK_GRAY);
    for (int x = 0; x < width; x += 9) {
      g.drawLine(x, 0, x + height / 2, height - 1);
    }
    g.dispose();
    return image;
  }

  private static BufferedImage translucent() {
    BufferedImage image = new BufferedImage(128, 64, BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = image.createGraphics();
    g.setColor(new Color(0, 0, 0, 0));
    g.fillRect(0, 0, 128, 64);
    g.setColor(new Color(20, 20, 160, 128));
    g.fillOval(10, 10, 100, 40);
    g.dispose();
    return image;
  }

  private static byte[] animatedGif() throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
      writer.setOutput(ios);
      writer.prepareWriteSequence(null);
      for (int frame = 0; frame < 3; frame++) {
        BufferedImage image = drawn(128, 64, BufferedImage.TYPE_BYTE_INDEXED);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.BLACK);
        g.fillRect(frame * 30, 0, 20, 64);
        g.dispose();
        IIOMetadata metadata =
            writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), null);
        String format = metadata.getNativeMetadataFormatName();
        IIOMetadataNode root = (IIOMetadataNode) metadata.getAsTree(format);
        IIOMetadataNode control = new IIOMetadataNode("GraphicControlExtension");
        control.setAttribute("disposalMethod", "none");
        control.setAttribute("userInputFlag", "FALSE");
        control.setAttribute("transparentColorFlag", "FALSE");
        control.setAttribute("delayTime", "10");
        control.setAttribute("transparentColorIndex", "0");
        root.appendChild(control);
        metadata.setFromTree(format, root);
        writer.writeToSequence(new IIOImage(image, null, metadata), null);
      }
      writer.endWriteSequence();
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }

  private static byte[] tiff() throws IOException {
    return encode(drawn(32, 16, BufferedImage.TYPE_INT_RGB), "tiff");
  }
}
