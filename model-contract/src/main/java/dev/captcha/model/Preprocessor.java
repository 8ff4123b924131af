package dev.captcha.model;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;

/**
 * Turns a decoded image into one item of the model's input tensor as the model file prescribes:
 * alpha composited over black, a stretch to the input size by the model's {@link ResizeRule} (in
 * RGB), the colour transform, then {@code (v * scale - mean) / std}. Immutable and thread-safe.
 */
public final class Preprocessor {
  /**
   * Each thread's RGB planes at the input size ({@link #rgbAtInputSize}), reused from call to call:
   * they live only within one {@link #toTensor} call, so a request allocates no more than its
   * tensor. Grown when a larger input needs more; shared by every preprocessor the thread runs.
   */
  private static final ThreadLocal<float[]> PLANES = ThreadLocal.withInitial(() -> new float[0]);

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
   * stretched to the input size in RGB by the spec's resize rule, then colour-transformed.
   */
  public void toTensor(BufferedImage image, float[] out, int offset) {
    int w = image.getWidth();
    int h = image.getHeight();
    int plane = spec.height() * spec.width();
    float scale = spec.scale() / spec.std();
    float shift = spec.mean() / spec.std();
    if (spec.color() == ColorMode.TEXT_ALPHA) {
      textAlpha(image, out, offset, scale, shift);
      return;
    }
    if (w == spec.width() && h == spec.height()) {
      // Straight into the tensor: no intermediate planes to allocate and copy.
      fill(image, spec.color(), out, offset, plane, scale, shift);
      return;
    }
    transformPlanes(rgbAtInputSize(image), spec.color(), out, offset, scale, shift);
  }

  /**
   * The image's R, G and B planes at the input size, one after the other: composited over black,
   * then stretched by the spec's resize rule where the image has another size. The array is the
   * calling thread's scratch ({@link #PLANES}), overwritten by its next call: read it before then.
   */
  private float[] rgbAtInputSize(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    int plane = spec.height() * spec.width();
    float[] rgb = PLANES.get();
    if (rgb.length < 3 * plane) {
      rgb = new float[3 * plane];
      PLANES.set(rgb);
    }
    if (w == spec.width() && h == spec.height()) {
      fill(image, ColorMode.RGB, rgb, 0, plane, 1, 0);
      return rgb;
    }
    int pixels = w * h;
    float[] src = new float[3 * pixels];
    fill(image, ColorMode.RGB, src, 0, pixels, 1, 0);
    float[] one = spec.resize() == ResizeRule.AREA_STRETCH ? new float[plane] : null;
    for (int c = 0; c < 3; c++) {
      if (one != null) {
        resizeArea(src, c * pixels, w, h, one, spec.width(), spec.height());
        System.arraycopy(one, 0, rgb, c * plane, plane);
      } else {
        resizeBilinear(src, c * pixels, w, h, rgb, c * plane, spec.width(), spec.height(), 1, 0);
      }
    }
    return rgb;
  }

  /** Writes every pixel of the RGB planes {@code rgb} colour-transformed by {@code mode}. */
  private void transformPlanes(
      float[] rgb, ColorMode mode, float[] out, int offset, float scale, float shift) {
    int plane = spec.height() * spec.width();
    for (int i = 0; i < plane; i++) {
      put(out, offset, plane, mode, i, rgb[i], rgb[plane + i], rgb[2 * plane + i], scale, shift);
    }
  }

  /**
   * Weight of the colour-difference channels (Cb, Cr) against luma (Y) in {@link
   * ColorMode#TEXT_ALPHA}. JPEG keeps luma at full resolution and quantizes it finely, but halves
   * the colour channels' resolution and quantizes them coarsely; weighting them at 0.05 read the
   * most JPEG-compressed captchas (measured with {@code captcha-training evaluate --input-color},
   * see docs/model-format.md).
   */
  static final float TEXT_ALPHA_CHROMA_WEIGHT = 0.05f;

  /**
   * Below this weighted squared distance between the background and white (about 30 levels of luma)
   * the text has no contrast to measure, and {@link ColorMode#TEXT_ALPHA} falls back to min(R, G,
   * B).
   */
  static final float TEXT_ALPHA_MIN_CONTRAST = 30f * 30f;

  /** {@link ColorMode#TEXT_ALPHA} estimates the background from every third pixel. */
  static final int TEXT_ALPHA_SAMPLE_STEP = 3;

  private static final float[] Y = {0.299f, 0.587f, 0.114f};
  private static final float[] CB = {-0.168736f, -0.331264f, 0.5f};
  private static final float[] CR = {0.5f, -0.418688f, -0.081312f};

  /**
   * {@link ColorMode#TEXT_ALPHA}: the image brought to the input size in RGB, its background
   * estimated as the per-channel median, then each pixel's text opacity {@code t} (0 on the
   * background, 1 on white) by weighted least squares in YCbCr, clamped to [0, 1], written on
   * min(R, G, B)'s scale as {@code m + t * (255 - m)} with {@code m} the background's smallest
   * channel. A pixel that blends the background with white gives min(R, G, B), up to the rounding
   * of its 8-bit channels.
   */
  private void textAlpha(BufferedImage image, float[] out, int offset, float scale, float shift) {
    int plane = spec.height() * spec.width();
    float[] rgb = rgbAtInputSize(image);
    // The per-channel median over 256 bins of every TEXT_ALPHA_SAMPLE_STEP-th pixel (the values lie
    // in [0, 255]); the background covers most of the image, so a sample finds it as well.
    int[] hist = new int[3 * 256];
    int samples = 0;
    for (int i = 0; i < plane; i += TEXT_ALPHA_SAMPLE_STEP, samples++) {
      hist[(int) (rgb[i] + 0.5f)]++;
      hist[256 + (int) (rgb[plane + i] + 0.5f)]++;
      hist[512 + (int) (rgb[2 * plane + i] + 0.5f)]++;
    }
    float[] bg = new float[3];
    for (int c = 0; c < 3; c++) {
      int seen = hist[c * 256];
      int m = 0;
      while (m < 255 && 2 * seen < samples) {
        seen += hist[c * 256 + ++m];
      }
      bg[c] = m;
    }
    // The weighted projection onto the background-to-white direction is linear in RGB:
    // t = a . (p - bg), with a = M^T W d / (d^T W d), d the YCbCr difference white - background.
    float[] d = new float[3];
    float[] weight = {1f, TEXT_ALPHA_CHROMA_WEIGHT, TEXT_ALPHA_CHROMA_WEIGHT};
    float[][] rows = {Y, CB, CR};
    float norm = 0;
    for (int k = 0; k < 3; k++) {
      for (int c = 0; c < 3; c++) {
        d[k] += rows[k][c] * (255f - bg[c]);
      }
      norm += weight[k] * d[k] * d[k];
    }
    if (norm < TEXT_ALPHA_MIN_CONTRAST) {
      transformPlanes(rgb, ColorMode.MIN_RGB, out, offset, scale, shift);
      return;
    }
    float[] a = new float[3];
    for (int c = 0; c < 3; c++) {
      for (int k = 0; k < 3; k++) {
        a[c] += rows[k][c] * weight[k] * d[k];
      }
      a[c] /= norm;
    }
    float low = Math.min(bg[0], Math.min(bg[1], bg[2]));
    float range = 255f - low;
    for (int i = 0; i < plane; i++) {
      float t =
          a[0] * (rgb[i] - bg[0])
              + a[1] * (rgb[plane + i] - bg[1])
              + a[2] * (rgb[2 * plane + i] - bg[2]);
      t = t < 0f ? 0f : t > 1f ? 1f : t;
      out[offset + i] = (low + t * range) * scale - shift;
    }
  }

  /**
   * Writes the image's pixels, alpha composited over black and colour-transformed by {@code mode},
   * into {@code dst} as {@code v * scale - shift}: channel {@code c} of pixel {@code i} at {@code
   * base + c * plane + i}.
   */
  private static void fill(
      BufferedImage image,
      ColorMode mode,
      float[] dst,
      int base,
      int plane,
      float scale,
      float shift) {
    int w = image.getWidth();
    int h = image.getHeight();
    ColorModel cm = image.getColorModel();
    Raster raster = image.getRaster();
    if (cm instanceof ComponentColorModel && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
      fillFromGray(raster, cm, w, h, mode.channels(), dst, base, plane, scale, shift);
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
        fillFromBytes(data, step, w * h, mode, dst, base, plane, scale, shift);
        return;
      }
    }
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      image.getRGB(0, y, w, 1, row, 0, w);
      for (int x = 0; x < w; x++) {
        int argb = row[x];
        float k = (argb >>> 24) / 255f;
        put(
            dst,
            base,
            plane,
            mode,
            y * w + x,
            alpha((argb >> 16) & 0xff, k),
            alpha((argb >> 8) & 0xff, k),
            alpha(argb & 0xff, k),
            scale,
            shift);
      }
    }
  }

  private static void fillFromBytes(
      byte[] data,
      int step,
      int pixels,
      ColorMode mode,
      float[] dst,
      int base,
      int plane,
      float scale,
      float shift) {
    boolean hasAlpha = step == 4;
    for (int i = 0, p = 0; i < pixels; i++, p += step) {
      float k = hasAlpha ? (data[p] & 0xff) / 255f : 1f;
      int c = hasAlpha ? p + 1 : p;
      float b = alpha(data[c] & 0xff, k);
      float g = alpha(data[c + 1] & 0xff, k);
      float r = alpha(data[c + 2] & 0xff, k);
      put(dst, base, plane, mode, i, r, g, b, scale, shift);
    }
  }

  /** A colour component composited over black by opacity {@code k} (1: opaque, untouched). */
  private static float alpha(int value, float k) {
    return k == 1f ? value : value * k;
  }

  private static void fillFromGray(
      Raster raster,
      ColorModel cm,
      int w,
      int h,
      int channels,
      float[] dst,
      int base,
      int plane,
      float scale,
      float shift) {
    int bands = raster.getNumBands();
    boolean hasAlpha = cm.hasAlpha() && bands > 1;
    float grayMax = (1 << cm.getComponentSize(0)) - 1;
    float alphaMax = hasAlpha ? (1 << cm.getComponentSize(1)) - 1 : 1;
    int[] gray = new int[w];
    int[] alphas = hasAlpha ? new int[w] : null;
    for (int y = 0; y < h; y++) {
      raster.getSamples(0, y, w, 1, 0, gray);
      if (hasAlpha) {
        raster.getSamples(0, y, w, 1, 1, alphas);
      }
      for (int x = 0; x < w; x++) {
        float v = gray[x] * 255f / grayMax;
        if (hasAlpha) {
          v = v * alphas[x] / alphaMax;
        }
        float t = v * scale - shift;
        for (int c = 0; c < channels; c++) {
          dst[base + c * plane + y * w + x] = t;
        }
      }
    }
  }

  private static void put(
      float[] dst,
      int base,
      int plane,
      ColorMode mode,
      int i,
      float r,
      float g,
      float b,
      float scale,
      float shift) {
    switch (mode) {
      case MIN_RGB -> dst[base + i] = Math.min(r, Math.min(g, b)) * scale - shift;
      case GRAY -> dst[base + i] = (0.299f * r + 0.587f * g + 0.114f * b) * scale - shift;
      case TEXT_ALPHA -> throw new IllegalStateException("text-alpha needs the whole image");
      case RGB -> {
        dst[base + i] = r * scale - shift;
        dst[base + plane + i] = g * scale - shift;
        dst[base + 2 * plane + i] = b * scale - shift;
      }
    }
  }

  /**
   * Bilinear sampling with pixel centres aligned (half-pixel offsets), stretching both axes; the
   * source plane starts at {@code src[from]}.
   */
  static void resizeBilinear(
      float[] src,
      int from,
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
        int r0 = from + y0 * sw;
        int r1 = from + y1 * sw;
        float top = src[r0 + x0] * (1 - wx) + src[r0 + x1] * wx;
        float bottom = src[r1 + x0] * (1 - wx) + src[r1 + x1] * wx;
        out[base + y * dw + x] = (top * (1 - wy) + bottom * wy) * scale - shift;
      }
    }
  }

  /**
   * {@link ResizeRule#AREA_STRETCH}: the rows, then the columns, each axis averaged over the output
   * pixel's footprint where it shrinks and sampled bilinearly where it grows; the source plane
   * starts at {@code src[from]}.
   */
  static void resizeArea(float[] src, int from, int sw, int sh, float[] out, int dw, int dh) {
    float[] rows = new float[dw * sh];
    float[] line = new float[Math.max(sw, sh)];
    float[] resized = new float[Math.max(dw, dh)];
    for (int y = 0; y < sh; y++) {
      System.arraycopy(src, from + y * sw, line, 0, sw);
      resizeAxis(line, sw, resized, dw);
      System.arraycopy(resized, 0, rows, y * dw, dw);
    }
    for (int x = 0; x < dw; x++) {
      for (int y = 0; y < sh; y++) {
        line[y] = rows[y * dw + x];
      }
      resizeAxis(line, sh, resized, dh);
      for (int y = 0; y < dh; y++) {
        out[y * dw + x] = resized[y];
      }
    }
  }

  /** One axis of {@link #resizeArea}: {@code n} samples to {@code m}. */
  static void resizeAxis(float[] in, int n, float[] out, int m) {
    double f = (double) n / m;
    if (m >= n) {
      for (int i = 0; i < m; i++) {
        double s = Math.max(0, Math.min(n - 1, (i + 0.5) * f - 0.5));
        int i0 = (int) s;
        int i1 = Math.min(i0 + 1, n - 1);
        double w = s - i0;
        out[i] = (float) (in[i0] * (1 - w) + in[i1] * w);
      }
      return;
    }
    for (int i = 0; i < m; i++) {
      double from = i * f;
      double to = from + f;
      int first = (int) Math.floor(from);
      int last = Math.min(n - 1, (int) Math.ceil(to) - 1);
      double sum = 0;
      for (int j = first; j <= last; j++) {
        double cover = Math.min(to, j + 1) - Math.max(from, j);
        sum += in[j] * cover;
      }
      out[i] = (float) (sum / f);
    }
  }
}
