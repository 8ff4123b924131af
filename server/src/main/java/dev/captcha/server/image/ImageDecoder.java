package dev.captcha.server.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.EnumMap;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;

/**
 * Decodes PNG, JPEG, GIF (first frame) and BMP bytes, refusing empty, oversized, undecodable and
 * absurd-dimension images; the dimensions are read from the header before any pixel is decoded, so
 * a decompression bomb is refused before a large allocation. The format is told from the file's
 * signature, and each thread keeps one image reader per format, read straight from the bytes: a
 * decode neither looks a reader up nor builds one, nor copies the bytes into a stream cache.
 * Immutable and thread-safe.
 */
public final class ImageDecoder {

  /** The accepted formats, each with the signature its ImageIO reader recognises. */
  enum Format {
    PNG("png"),
    JPEG("jpeg"),
    GIF("gif"),
    BMP("bmp");

    final String imageIoName;

    Format(String imageIoName) {
      this.imageIoName = imageIoName;
    }

    /**
     * The format whose signature {@code b} starts with, or null: PNG's eight bytes, JPEG's start of
     * image (FF D8), GIF87a or GIF89a, BMP's "BM".
     */
    static Format of(byte[] b) {
      if (b.length >= 8
          && (b[0] & 0xff) == 0x89
          && b[1] == 'P'
          && b[2] == 'N'
          && b[3] == 'G'
          && b[4] == '\r'
          && b[5] == '\n'
          && b[6] == 0x1a
          && b[7] == '\n') {
        return PNG;
      }
      if (b.length >= 2 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8) {
        return JPEG;
      }
      if (b.length >= 6
          && b[0] == 'G'
          && b[1] == 'I'
          && b[2] == 'F'
          && b[3] == '8'
          && (b[4] == '7' || b[4] == '9')
          && b[5] == 'a') {
        return GIF;
      }
      if (b.length >= 2 && b[0] == 'B' && b[1] == 'M') {
        return BMP;
      }
      return null;
    }
  }

  /** Each thread's readers, one per format, made on first use. */
  private static final ThreadLocal<EnumMap<Format, ImageReader>> READERS =
      ThreadLocal.withInitial(() -> new EnumMap<>(Format.class));

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
    Format format = Format.of(bytes);
    if (format == null) {
      throw new InvalidImageException(
          InvalidImageException.Reason.UNDECODABLE, "image is not a PNG, JPEG, GIF or BMP file");
    }
    EnumMap<Format, ImageReader> readers = READERS.get();
    ImageReader reader = readers.get(format);
    boolean reusable = false;
    try {
      if (reader == null) {
        reader = readerFor(format);
        readers.put(format, reader);
      }
      reader.setInput(new BytesImageInputStream(bytes), true, true);
      int width = reader.getWidth(0);
      int height = reader.getHeight(0);
      checkDimensions(width, height);
      BufferedImage image = reader.read(0, reader.getDefaultReadParam());
      checkDimensions(image.getWidth(), image.getHeight());
      reusable = true;
      return image;
    } catch (InvalidImageException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new InvalidImageException(
          InvalidImageException.Reason.UNDECODABLE,
          "image could not be decoded: "
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()),
          e);
    } finally {
      if (reader != null) {
        if (reusable) {
          reader.setInput(null);
        } else {
          // A reader that failed part-way may keep state from that image: start the next afresh.
          readers.remove(format);
          reader.dispose();
        }
      }
    }
  }

  private static ImageReader readerFor(Format format) throws InvalidImageException {
    Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.imageIoName);
    if (!readers.hasNext()) {
      throw new InvalidImageException(
          InvalidImageException.Reason.UNDECODABLE,
          "this Java runtime has no " + format.imageIoName + " reader");
    }
    return readers.next();
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
