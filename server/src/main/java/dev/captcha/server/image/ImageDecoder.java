package dev.captcha.server.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes PNG, JPEG, GIF (first frame) and BMP bytes, refusing empty, oversized, undecodable and
 * absurd-dimension images; the dimensions are read from the header before any pixel is decoded, so
 * a decompression bomb is refused before a large allocation. Immutable and thread-safe.
 */
public final class ImageDecoder {
  private static final Set<String> FORMATS = Set.of("png", "jpeg", "gif", "bmp");

  private final ImageLimits limits;

  public ImageDecoder(ImageLimits limits) {
    this.limits = limits;
  }

  public ImageLimits limits() {
    return limits;
  }

  /** Decodes one image. */
  public BufferedImage decode(byte[] bytes) throws InvalidImageException {
    if (bytes == null || bytes.length == 0) {
      throw new InvalidImageException(InvalidImageException.Reason.EMPTY, "image is empty");
    }
    if (bytes.length > limits.maxBytes()) {
      throw new InvalidImageException(
          InvalidImageException.Reason.OVERSIZED,
          "image is " + bytes.length + " bytes, over the limit of " + limits.maxBytes());
    }
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      ImageReader reader = readerFor(in);
      try {
        reader.setInput(in, true, true);
        int width = reader.getWidth(0);
        int height = reader.getHeight(0);
        checkDimensions(width, height);
        BufferedImage image = reader.read(0, reader.getDefaultReadParam());
        checkDimensions(image.getWidth(), image.getHeight());
        return image;
      } finally {
        reader.dispose();
      }
    } catch (InvalidImageException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new InvalidImageException(
          InvalidImageException.Reason.UNDECODABLE,
          "image could not be decoded: "
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()),
          e);
    }
  }

  private static ImageReader readerFor(ImageInputStream in) throws InvalidImageException {
    Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
    while (readers.hasNext()) {
      ImageReader reader = readers.next();
      String format;
      try {
        format = reader.getFormatName().toLowerCase(Locale.ROOT);
      } catch (IOException e) {
        format = "";
      }
      if (FORMATS.contains(format)) {
        return reader;
      }
      reader.dispose();
    }
    throw new InvalidImageException(
        InvalidImageException.Reason.UNDECODABLE, "image is not a PNG, JPEG, GIF or BMP file");
  }

  private void checkDimensions(int width, int height) throws InvalidImageException {
    if (width < 1
        || height < 1
        || width > limits.maxSide()
        || height > limits.maxSide()
        || (long) width * height > limits.maxPixels()) {
      throw new InvalidImageException(
          InvalidImageException.Reason.ABSURD_DIMENSIONS,
          "image dimensions "
              + width
              + "x"
              + height
              + " are outside the accepted range (1.."
              + limits.maxSide()
              + " a side, at most "
              + limits.maxPixels()
              + " pixels)");
    }
  }
}
