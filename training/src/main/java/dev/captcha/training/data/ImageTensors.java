package dev.captcha.training.data;

import dev.captcha.generator.Charset;
import java.awt.image.BufferedImage;

/**
 * Turns captcha images and texts into the model's input and label arrays; stateless and
 * thread-safe.
 *
 * <p>The input is one channel, min(R, G, B) / 255: white text maps to 1 and every background of
 * the palette to 0 (gray to 0.5), which keeps the contrast that plain grayscale loses on yellow and
 * cyan. This is the {@code min-rgb} colour transform of the model-file contract.
 */
public final class ImageTensors {

  /** The scale applied to 0..255 channel values. */
  public static final float SCALE = 1f / 255f;

  private ImageTensors() {}

  /**
   * Writes the image's min-RGB channel, scaled to [0, 1], into {@code out} at {@code offset}; the
   * image must already have the model's size.
   */
  public static void minRgb(BufferedImage image, float[] out, int offset) {
    int w = image.getWidth();
    int h = image.getHeight();
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      image.getRGB(0, y, w, 1, row, 0, w);
      int base = offset + y * w;
      for (int x = 0; x < w; x++) {
        int p = row[x];
        int r = (p >>> 16) & 0xFF;
        int g = (p >>> 8) & 0xFF;
        int b = p & 0xFF;
        out[base + x] = Math.min(r, Math.min(g, b)) * SCALE;
      }
    }
  }

  /** Writes the class indices of {@code text} (ALL-mode classes) into {@code out} at {@code offset}. */
  public static void labels(String text, int[] out, int offset) {
    for (int i = 0; i < text.length(); i++) {
      int cls = Charset.MODEL_CLASSES.indexOf(text.charAt(i));
      if (cls < 0) {
        throw new IllegalArgumentException("character '" + text.charAt(i) + "' is not a model class");
      }
      out[offset + i] = cls;
    }
  }
}
