package dev.captcha.training.eval;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * Turns an image into a model's input floats as its metadata prescribes: alpha composited over
 * black, bilinear stretch to the model's size, the colour transform, then {@code (v * scale - mean)
 * / std}; stateless and thread-safe.
 */
public final class Preprocessor {
  private final ModelInfo info;

  public Preprocessor(ModelInfo info) {
    this.info = info;
  }

  /** Writes {@code image}'s {@code C x H x W} floats into {@code out} at {@code offset}. */
  public void write(BufferedImage image, float[] out, int offset) {
    int w = info.width();
    int h = info.height();
    BufferedImage rgb = normalise(image, w, h);
    int[] row = new int[w];
    int plane = w * h;
    for (int y = 0; y < h; y++) {
      rgb.getRGB(0, y, w, 1, row, 0, w);
      for (int x = 0; x < w; x++) {
        int p = row[x];
        int r = (p >>> 16) & 0xFF;
        int g = (p >>> 8) & 0xFF;
        int b = p & 0xFF;
        int at = offset + y * w + x;
        switch (info.color()) {
          case "min-rgb" -> out[at] = scale(Math.min(r, Math.min(g, b)));
          case "gray" -> out[at] = scale(0.299f * r + 0.587f * g + 0.114f * b);
          default -> {
            out[at] = scale(r);
            out[at + plane] = scale(g);
            out[at + 2 * plane] = scale(b);
          }
        }
      }
    }
  }

  private float scale(float v) {
    return (v * info.scale() - info.mean()) / info.std();
  }

  /** The image as opaque RGB of the model's size (itself when it already is). */
  static BufferedImage normalise(BufferedImage image, int w, int h) {
    boolean opaqueRgb = image.getType() == BufferedImage.TYPE_INT_RGB || image.getType() == BufferedImage.TYPE_3BYTE_BGR
        || image.getType() == BufferedImage.TYPE_INT_BGR;
    if (opaqueRgb && image.getWidth() == w && image.getHeight() == h) {
      return image;
    }
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.drawImage(image, 0, 0, w, h, null);
    } finally {
      g.dispose();
    }
    return out;
  }
}
