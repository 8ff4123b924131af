package dev.captcha.training.data;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;

/** Copies between images and packed 0xAARRGGBB arrays; stateless and thread-safe. */
final class Pixels {

  private Pixels() {}

  /** The image's pixels as opaque packed RGB (a copy, row-major). */
  static int[] rgb(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    int[] out = new int[w * h];
    if (image.getType() == BufferedImage.TYPE_INT_RGB
        && image.getRaster().getDataBuffer() instanceof DataBufferInt db
        && image.getRaster().getParent() == null
        && db.getData().length == w * h) {
      int[] data = db.getData();
      for (int i = 0; i < out.length; i++) {
        out[i] = data[i] | 0xFF000000;
      }
      return out;
    }
    image.getRGB(0, 0, w, h, out, 0, w);
    for (int i = 0; i < out.length; i++) {
      out[i] |= 0xFF000000;
    }
    return out;
  }

  /**
   * A new {@code TYPE_INT_RGB} image holding {@code pixels} (row-major, {@code width x height}).
   */
  static BufferedImage image(int[] pixels, int width, int height) {
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    int[] data = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
    for (int i = 0; i < data.length; i++) {
      data[i] = pixels[i] & 0xFFFFFF;
    }
    return out;
  }
}
