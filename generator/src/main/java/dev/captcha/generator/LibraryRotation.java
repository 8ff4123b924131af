package dev.captcha.generator;

/**
 * The library's own rotation of a square glyph tile, reproduced sample for sample; stateless and
 * thread-safe.
 *
 * <p>It is not a standard centred rotation. With {@code n = fs*(|cos|+|sin|) + 0.5} kept as a float
 * (the output's side is {@code int(n)}), each output pixel at integer coordinates (x, y), its
 * corner rather than its centre, reads the source point {@code (x*cos - y*sin + oy, x*sin + y*cos +
 * ox)} with {@code ox = -n/2*cos - n/2*sin + fs/2} and {@code oy = n/2*sin - n/2*cos + fs/2}; a
 * point outside {@code [0, fs)} leaves the pixel transparent. The sample is bilinear between pixel
 * centres (at +0.5), with one-sided weights within half a pixel of the tile's edge, each channel
 * rounded to 8 bits. At 0 degrees every pixel becomes {@code 0.75*src(x-1, y-1)}-weighted: the
 * glyph moves 0.75 px right and down and softens.
 */
final class LibraryRotation {

  private LibraryRotation() {}

  /** The output of a rotation: its side and premultiplied ARGB pixels, row-major. */
  record Tile(int side, int[] argb) {}

  /**
   * Rotates a premultiplied ARGB tile of side {@code fs} by {@code degrees} as the library does (a
   * negative angle turns the glyph clockwise on screen).
   */
  static Tile rotate(int[] src, int fs, double degrees) {
    double radians = degrees * Math.PI / 180.0;
    double sin = Math.sin(radians);
    double cos = Math.cos(radians);
    double half = fs * 0.5;
    // Corners of the source (centre at the origin) turned by the angle: bottom-left, bottom-right,
    // top-left, top-right, as the library computes them.
    double x1 = cos * -half + sin * half;
    double y1 = -sin * -half + cos * half;
    double x2 = cos * half + sin * half;
    double y2 = -sin * half + cos * half;
    double x3 = cos * -half + sin * -half;
    double y3 = -sin * -half + cos * -half;
    double x4 = cos * half + sin * -half;
    double y4 = -sin * half + cos * -half;
    double newW = Math.max(Math.abs(x4 - x1), Math.abs(x3 - x2)) + 0.5;
    double newH = Math.max(Math.abs(y4 - y1), Math.abs(y3 - y2)) + 0.5;
    double ox = -0.5 * newW * cos - 0.5 * newH * sin + half;
    double oy = 0.5 * newW * sin - 0.5 * newH * cos + half;
    int w = (int) newW;
    int h = (int) newH;
    if (w != h) {
      throw new IllegalStateException("rotated square is not square: " + w + "x" + h);
    }
    int[] out = new int[w * h];
    double[] weights = new double[4];
    int[] taps = new int[4];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double sx = -y * sin + x * cos + oy;
        double sy = y * cos + x * sin + ox;
        if (sx < 0 || sx >= fs || sy < 0 || sy >= fs) {
          continue;
        }
        sampleTaps(fs, sx, sy, taps, weights);
        out[y * w + x] = blend(src, taps, weights);
      }
    }
    return new Tile(w, out);
  }

  /**
   * Fills the four source indices (top-left, top-right, bottom-left, bottom-right) and their
   * weights for the point (sx, sy), with the library's rules at the edges.
   */
  static void sampleTaps(int fs, double sx, double sy, int[] taps, double[] wt) {
    double max = fs;
    double lowX = Math.max(0, Math.floor(sx - 0.5));
    double lowY = Math.max(0, Math.floor(sy - 0.5));
    double highX = Math.min(max - 1, Math.ceil(sx - 0.5));
    double highY = Math.min(max - 1, Math.ceil(sy - 0.5));
    double cLowX = lowX + 0.5;
    double cLowY = lowY + 0.5;
    double cHighX = highX + 0.5;
    double cHighY = highY + 0.5;
    taps[0] = (int) lowY * fs + (int) lowX;
    taps[1] = (int) lowY * fs + (int) highX;
    taps[2] = (int) highY * fs + (int) lowX;
    taps[3] = (int) highY * fs + (int) highX;
    wt[0] = wt[1] = wt[2] = wt[3] = 0;
    if (lowX == highX && lowY == highY) {
      wt[0] = 1;
    } else if (sy <= 0.5 && sx <= 0.5) {
      wt[0] = 1;
    } else if (max - sy <= 0.5 && max - sx <= 0.5) {
      wt[3] = 1;
    } else if (sy <= 0.5 || lowY == highY) {
      wt[0] = cHighX - sx;
      wt[1] = sx - cLowX;
    } else if (sx <= 0.5 || lowX == highX) {
      wt[0] = cHighY - sy;
      wt[2] = sy - cLowY;
    } else if (max - sy <= 0.5) {
      wt[2] = cHighX - sx;
      wt[3] = sx - cLowX;
    } else if (max - sx <= 0.5) {
      wt[1] = cHighY - sy;
      wt[3] = sy - cLowY;
    } else {
      wt[0] = (cHighX - sx) * (cHighY - sy);
      wt[1] = (sx - cLowX) * (cHighY - sy);
      wt[2] = (cHighX - sx) * (sy - cLowY);
      wt[3] = (sx - cLowX) * (sy - cLowY);
    }
  }

  private static int blend(int[] src, int[] taps, double[] wt) {
    double a = 0;
    double r = 0;
    double g = 0;
    double b = 0;
    for (int k = 0; k < 4; k++) {
      if (wt[k] == 0) {
        continue;
      }
      int p = src[taps[k]];
      a += (p >>> 24) * wt[k];
      r += ((p >> 16) & 0xFF) * wt[k];
      g += ((p >> 8) & 0xFF) * wt[k];
      b += (p & 0xFF) * wt[k];
    }
    return to8(a) << 24 | to8(r) << 16 | to8(g) << 8 | to8(b);
  }

  private static int to8(double v) {
    return Math.min(255, (int) (v + 0.5));
  }
}
