package dev.captcha.training.data;

import java.awt.image.BufferedImage;

/**
 * Resizes RGB images with one of the filters image tools commonly use; stateless and thread-safe.
 *
 * <p>Sampling is pixel-centre aligned ({@code src = (dst + 0.5) * scale - 0.5}) and separable.
 * Bilinear and bicubic (Keys, a = -0.5) keep their kernel width when shrinking, as OpenCV and
 * Java2D do, so they alias; area averages the exact source footprint of each output pixel (box
 * filter), which is what "area" resizing in OpenCV does when shrinking. Edges repeat the border
 * pixel.
 */
public final class Resampler {

  /** How source pixels are combined. */
  public enum Filter {
    NEAREST,
    BILINEAR,
    BICUBIC,
    AREA
  }

  private Resampler() {}

  /** The image resized to {@code width x height} with {@code filter}, as {@code TYPE_INT_RGB}. */
  public static BufferedImage resize(BufferedImage src, int width, int height, Filter filter) {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("size must be positive: " + width + "x" + height);
    }
    int sw = src.getWidth();
    int sh = src.getHeight();
    int[] in = Pixels.rgb(src);
    if (filter == Filter.NEAREST) {
      int[] out = new int[width * height];
      for (int y = 0; y < height; y++) {
        int sy = Math.min(sh - 1, (int) ((y + 0.5) * sh / height));
        for (int x = 0; x < width; x++) {
          int sx = Math.min(sw - 1, (int) ((x + 0.5) * sw / width));
          out[y * width + x] = in[sy * sw + sx];
        }
      }
      return Pixels.image(out, width, height);
    }
    Taps horizontal = taps(sw, width, filter);
    Taps vertical = taps(sh, height, filter);
    // horizontal pass: sh rows of width pixels, three channels as floats
    float[] mid = new float[3 * width * sh];
    for (int y = 0; y < sh; y++) {
      int row = y * sw;
      for (int x = 0; x < width; x++) {
        float r = 0;
        float g = 0;
        float b = 0;
        int base = x * horizontal.count;
        for (int k = 0; k < horizontal.count; k++) {
          float w = horizontal.weights[base + k];
          if (w == 0) {
            continue;
          }
          int p = in[row + horizontal.index[base + k]];
          r += w * ((p >>> 16) & 0xFF);
          g += w * ((p >>> 8) & 0xFF);
          b += w * (p & 0xFF);
        }
        int at = 3 * (y * width + x);
        mid[at] = r;
        mid[at + 1] = g;
        mid[at + 2] = b;
      }
    }
    int[] out = new int[width * height];
    for (int y = 0; y < height; y++) {
      int base = y * vertical.count;
      for (int x = 0; x < width; x++) {
        float r = 0;
        float g = 0;
        float b = 0;
        for (int k = 0; k < vertical.count; k++) {
          float w = vertical.weights[base + k];
          if (w == 0) {
            continue;
          }
          int at = 3 * (vertical.index[base + k] * width + x);
          r += w * mid[at];
          g += w * mid[at + 1];
          b += w * mid[at + 2];
        }
        out[y * width + x] = 0xFF000000 | (clamp(r) << 16) | (clamp(g) << 8) | clamp(b);
      }
    }
    return Pixels.image(out, width, height);
  }

  /** For each output position, {@code count} source indices and weights that sum to 1. */
  private record Taps(int count, int[] index, float[] weights) {}

  private static Taps taps(int srcSize, int dstSize, Filter filter) {
    double scale = (double) srcSize / dstSize;
    int count =
        switch (filter) {
          case BILINEAR -> 2;
          case BICUBIC -> 4;
          case AREA -> (int) Math.ceil(scale) + 2;
          case NEAREST -> 1;
        };
    int[] index = new int[dstSize * count];
    float[] weights = new float[dstSize * count];
    for (int d = 0; d < dstSize; d++) {
      double[] w = new double[count];
      int first;
      if (filter == Filter.AREA) {
        double lo = d * scale;
        double hi = lo + scale;
        first = (int) Math.floor(lo);
        for (int k = 0; k < count; k++) {
          double a = Math.max(lo, first + k);
          double b = Math.min(hi, first + k + 1);
          w[k] = Math.max(0, b - a);
        }
      } else {
        double centre = (d + 0.5) * scale - 0.5;
        int base = (int) Math.floor(centre);
        double t = centre - base;
        if (filter == Filter.BILINEAR) {
          first = base;
          w[0] = 1 - t;
          w[1] = t;
        } else {
          first = base - 1;
          for (int k = 0; k < 4; k++) {
            w[k] = cubic(t - (k - 1));
          }
        }
      }
      double sum = 0;
      for (double v : w) {
        sum += v;
      }
      for (int k = 0; k < count; k++) {
        index[d * count + k] = Math.max(0, Math.min(srcSize - 1, first + k));
        weights[d * count + k] = (float) (w[k] / sum);
      }
    }
    return new Taps(count, index, weights);
  }

  /** Keys' cubic convolution kernel with a = -0.5. */
  private static double cubic(double x) {
    double a = -0.5;
    x = Math.abs(x);
    if (x <= 1) {
      return ((a + 2) * x - (a + 3)) * x * x + 1;
    }
    if (x < 2) {
      return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    }
    return 0;
  }

  static int clamp(float v) {
    int i = Math.round(v);
    return i < 0 ? 0 : Math.min(255, i);
  }
}
