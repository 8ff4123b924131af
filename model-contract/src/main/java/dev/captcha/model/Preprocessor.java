package dev.captcha.model;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;

/**
 * Turns a decoded image into one item of the model's input tensor as the model file prescribes:
 * alpha composited over black, a bilinear stretch to the input size (in RGB, as training does), the
 * colour transform, then {@code (v * scale - mean) / std}. Immutable and thread-safe.
 */
public final class Preprocessor {
  private final InputSpec spec;

  public Preprocessor(InputSpec spec) {
    this.spec = spec;
  }

  public InputSpec spec() {
    return spec;
  }

  /** Returns a new array of {@code channels * height * width} floats, channel-major. */
  public float[] toTensor(BufferedImage image) {
    float[] out = new float[spec.itemSize()];
    toTensor(image, out, 0);
    return out;
  }

  /**
   * Writes one item into {@code out} starting at {@code offset}. An image of another size is first
   * stretched to the input size in RGB (as training does), then colour-transformed.
   */
  public void toTensor(BufferedImage image, float[] out, int offset) {
    int w = image.getWidth();
    int h = image.getHeight();
    int plane = spec.height() * spec.width();
    float scale = spec.scale() / spec.std();
    float shift = spec.mean() / spec.std();
    if (w == spec.width() && h == spec.height()) {
      float[][] planes = new float[spec.channels()][plane];
      fillPlanes(image, planes, spec.color());
      for (int c = 0; c < planes.length; c++) {
        float[] src = planes[c];
        int base = offset + c * plane;
        for (int i = 0; i < plane; i++) {
          out[base + i] = src[i] * scale - shift;
        }
      }
      return;
    }
    float[][] rgb = new float[3][w * h];
    fillPlanes(image, rgb, ColorMode.RGB);
    float[][] resized = new float[3][plane];
    for (int c = 0; c < 3; c++) {
      resizeBilinear(rgb[c], w, h, resized[c], 0, spec.width(), spec.height(), 1, 0);
    }
    for (int i = 0; i < plane; i++) {
      float r = resized[0][i];
      float g = resized[1][i];
      float b = resized[2][i];
      switch (spec.color()) {
        case MIN_RGB -> out[offset + i] = Math.min(r, Math.min(g, b)) * scale - shift;
        case GRAY -> out[offset + i] = (0.299f * r + 0.587f * g + 0.114f * b) * scale - shift;
        case RGB -> {
          out[offset + i] = r * scale - shift;
          out[offset + plane + i] = g * scale - shift;
          out[offset + 2 * plane + i] = b * scale - shift;
        }
      }
    }
  }

  private static void fillPlanes(BufferedImage image, float[][] planes, ColorMode mode) {
    int w = image.getWidth();
    int h = image.getHeight();
    ColorModel cm = image.getColorModel();
    Raster raster = image.getRaster();
    if (cm instanceof ComponentColorModel && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
      fillFromGray(raster, cm, w, h, planes);
      return;
    }
    int type = image.getType();
    if ((type == BufferedImage.TYPE_3BYTE_BGR || type == BufferedImage.TYPE_4BYTE_ABGR)
        && raster.getDataBuffer() instanceof DataBufferByte buffer
        && raster.getParent() == null
        && buffer.getNumBanks() == 1) {
      int step = type == BufferedImage.TYPE_3BYTE_BGR ? 3 : 4;
      byte[] data = buffer.getData();
      if (data.length == w * h * step) {
        fillFromBytes(data, step, w * h, planes, mode);
        return;
      }
    }
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      image.getRGB(0, y, w, 1, row, 0, w);
      for (int x = 0; x < w; x++) {
        int argb = row[x];
        put(
            planes,
            mode,
            y * w + x,
            (argb >> 16) & 0xff,
            (argb >> 8) & 0xff,
            argb & 0xff,
            argb >>> 24);
      }
    }
  }

  private static void fillFromBytes(
      byte[] data, int step, int pixels, float[][] planes, ColorMode mode) {
    boolean alpha = step == 4;
    for (int i = 0, p = 0; i < pixels; i++, p += step) {
      int a;
      int b;
      int g;
      int r;
      if (alpha) {
        a = data[p] & 0xff;
        b = data[p + 1] & 0xff;
        g = data[p + 2] & 0xff;
        r = data[p + 3] & 0xff;
      } else {
        a = 255;
        b = data[p] & 0xff;
        g = data[p + 1] & 0xff;
        r = data[p + 2] & 0xff;
      }
      put(planes, mode, i, r, g, b, a);
    }
  }

  private static void fillFromGray(Raster raster, ColorModel cm, int w, int h, float[][] planes) {
    int bands = raster.getNumBands();
    boolean alpha = cm.hasAlpha() && bands > 1;
    float grayMax = (1 << cm.getComponentSize(0)) - 1;
    float alphaMax = alpha ? (1 << cm.getComponentSize(1)) - 1 : 1;
    int[] gray = new int[w];
    int[] alphas = alpha ? new int[w] : null;
    for (int y = 0; y < h; y++) {
      raster.getSamples(0, y, w, 1, 0, gray);
      if (alpha) {
        raster.getSamples(0, y, w, 1, 1, alphas);
      }
      for (int x = 0; x < w; x++) {
        float v = gray[x] * 255f / grayMax;
        if (alpha) {
          v = v * alphas[x] / alphaMax;
        }
        for (float[] plane : planes) {
          plane[y * w + x] = v;
        }
      }
    }
  }

  private static void put(float[][] planes, ColorMode mode, int i, int r, int g, int b, int a) {
    float fr = r;
    float fg = g;
    float fb = b;
    if (a != 255) {
      float k = a / 255f;
      fr *= k;
      fg *= k;
      fb *= k;
    }
    switch (mode) {
      case MIN_RGB -> planes[0][i] = Math.min(fr, Math.min(fg, fb));
      case GRAY -> planes[0][i] = 0.299f * fr + 0.587f * fg + 0.114f * fb;
      case RGB -> {
        planes[0][i] = fr;
        planes[1][i] = fg;
        planes[2][i] = fb;
      }
    }
  }

  /** Bilinear sampling with pixel centres aligned (half-pixel offsets), stretching both axes. */
  static void resizeBilinear(
      float[] src,
      int sw,
      int sh,
      float[] out,
      int base,
      int dw,
      int dh,
      float scale,
      float shift) {
    float fx = (float) sw / dw;
    float fy = (float) sh / dh;
    for (int y = 0; y < dh; y++) {
      float sy = Math.max(0f, Math.min(sh - 1f, (y + 0.5f) * fy - 0.5f));
      int y0 = (int) sy;
      int y1 = Math.min(y0 + 1, sh - 1);
      float wy = sy - y0;
      for (int x = 0; x < dw; x++) {
        float sx = Math.max(0f, Math.min(sw - 1f, (x + 0.5f) * fx - 0.5f));
        int x0 = (int) sx;
        int x1 = Math.min(x0 + 1, sw - 1);
        float wx = sx - x0;
        float top = src[y0 * sw + x0] * (1 - wx) + src[y0 * sw + x1] * wx;
        float bottom = src[y1 * sw + x0] * (1 - wx) + src[y1 * sw + x1] * wx;
        out[base + y * dw + x] = (top * (1 - wy) + bottom * wy) * scale - shift;
      }
    }
  }
}
