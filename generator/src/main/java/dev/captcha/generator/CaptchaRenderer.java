package dev.captcha.generator;

import java.awt.Font;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.Arrays;
import java.util.Objects;

/**
 * Draws a {@link CaptchaSpec} the way the afocus/captcha library draws it; thread-safe (each call
 * uses its own buffers; finished glyph tiles are cached and shared).
 *
 * <p>The steps and their arithmetic follow the library: the solid background; the dots as midpoint
 * circles and the lines with the library's Bresenham, opaque, under the text; each character
 * rasterised alone in its {@code fs x fs} tile ({@link GlyphTiles}), rotated by the library's own
 * sampling ({@link LibraryRotation}) and composited onto a transparent text layer at {@code x =
 * fs/4 + gap*i}, {@code y = (H - side)/2}; the in-place ripple over that layer; and the layer
 * composited over the background. Layers hold premultiplied 8-bit ARGB and every "over" uses the
 * library's integer formula, so colours round the same way.
 */
public final class CaptchaRenderer {

  private final GlyphTiles tiles = new GlyphTiles();

  /** Draws the captcha as an opaque RGB image of the spec's size. */
  public BufferedImage render(CaptchaSpec spec) {
    int w = spec.width();
    int h = spec.height();
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int[] px = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
    Arrays.fill(px, 0xFF000000 | spec.background());
    for (int i = 0; i < spec.dots().size(); i++) {
      CaptchaSpec.Dot d = spec.dots().get(i);
      circle(px, w, h, d.x(), d.y(), d.radius(), d.filled(), 0xFF000000 | d.rgb());
    }
    for (CaptchaSpec.Line l : spec.lines()) {
      line(px, w, h, l.x0(), l.y0(), l.x1(), l.y1(), 0xFF000000 | l.rgb());
    }
    int[] text = new int[w * h];
    drawGlyphs(text, spec);
    if (spec.ripple()) {
      ripple(text, w, h, spec.fontSize() / 10.0);
    }
    for (int i = 0; i < px.length; i++) {
      px[i] = over(text[i], px[i]) & 0xFFFFFF;
    }
    return out;
  }

  /**
   * The 8-bit coverage of one character as {@link #render} places it in its {@code fontSize x
   * fontSize} tile before rotation and colour (no variation), row-major; a fresh copy.
   */
  public byte[] glyphTile(Font font, char character, int fontSize) {
    if (fontSize < 1) {
      throw new IllegalArgumentException("font size must be >= 1, got " + fontSize);
    }
    return tiles.coverage(Objects.requireNonNull(font, "font"), character, fontSize).clone();
  }

  private void drawGlyphs(int[] layer, CaptchaSpec spec) {
    int w = spec.width();
    int h = spec.height();
    int fs = spec.fontSize();
    int n = spec.glyphs().size();
    if (n == 0) {
      return;
    }
    int[] tile = new int[fs * fs];
    for (int i = 0; i < n; i++) {
      CaptchaSpec.Glyph g = spec.glyphs().get(i);
      byte[] coverage = tiles.coverage(g.font(), g.character(), fs, g.variation());
      colourTile(coverage, g.rgb(), tile);
      LibraryRotation.Tile rotated = LibraryRotation.rotate(tile, fs, g.degrees());
      int side = rotated.side();
      int left = CaptchaSpec.glyphLeft(w, h, n, i);
      int top = (h - side) / 2;
      for (int y = 0; y < side; y++) {
        int ty = top + y;
        if (ty < 0 || ty >= h) {
          continue;
        }
        for (int x = 0; x < side; x++) {
          int tx = left + x;
          if (tx < 0 || tx >= w) {
            continue;
          }
          layer[ty * w + tx] = over(rotated.argb()[y * side + x], layer[ty * w + tx]);
        }
      }
    }
  }

  /**
   * The glyph drawn in a uniform opaque colour over a transparent tile with the coverage as mask,
   * premultiplied, with the library's 16-bit arithmetic.
   */
  private static void colourTile(byte[] coverage, int rgb, int[] tile) {
    long r16 = ((rgb >> 16) & 0xFF) * 0x101L;
    long g16 = ((rgb >> 8) & 0xFF) * 0x101L;
    long b16 = (rgb & 0xFF) * 0x101L;
    for (int i = 0; i < coverage.length; i++) {
      int a8 = coverage[i] & 0xFF;
      if (a8 == 0) {
        tile[i] = 0;
        continue;
      }
      long ma = a8 | (long) a8 << 8;
      int r = (int) ((r16 * ma / 0xFFFF) >> 8);
      int g = (int) ((g16 * ma / 0xFFFF) >> 8);
      int b = (int) ((b16 * ma / 0xFFFF) >> 8);
      tile[i] = a8 << 24 | r << 16 | g << 8 | b;
    }
  }

  /**
   * Premultiplied {@code src} over {@code dst}, per channel {@code ((d * (0xFFFF - sa16) * 0x101 /
   * 0xFFFF) + s16) >> 8}, as the library composites.
   */
  static int over(int src, int dst) {
    int sa = src >>> 24;
    if (sa == 0) {
      return dst;
    }
    long a = (0xFFFFL - sa * 0x101L) * 0x101L;
    int oa = channel(dst >>> 24, sa, a);
    int or = channel((dst >> 16) & 0xFF, (src >> 16) & 0xFF, a);
    int og = channel((dst >> 8) & 0xFF, (src >> 8) & 0xFF, a);
    int ob = channel(dst & 0xFF, src & 0xFF, a);
    return oa << 24 | or << 16 | og << 8 | ob;
  }

  private static int channel(int d, int s, long a) {
    return (int) ((((long) d * a / 0xFFFF) + s * 0x101L) >> 8) & 0xFF;
  }

  /**
   * The midpoint circle ({@code d = 3 - 2r}, eight-way symmetric); filled draws every point from
   * (x, x) to (x, y) of each octant. Nothing is drawn when the circle's box misses the image.
   */
  static void circle(int[] px, int w, int h, int xc, int yc, int r, boolean filled, int argb) {
    if (xc + r < 0 || xc - r >= w || yc + r < 0 || yc - r >= h) {
      return;
    }
    int x = 0;
    int y = r;
    int d = 3 - 2 * r;
    while (x <= y) {
      if (filled) {
        for (int yi = x; yi <= y; yi++) {
          eightWay(px, w, h, xc, yc, x, yi, argb);
        }
      } else {
        eightWay(px, w, h, xc, yc, x, y, argb);
      }
      if (d < 0) {
        d += 4 * x + 6;
      } else {
        d += 4 * (x - y) + 10;
        y--;
      }
      x++;
    }
  }

  private static void eightWay(int[] px, int w, int h, int xc, int yc, int x, int y, int argb) {
    set(px, w, h, xc + x, yc + y, argb);
    set(px, w, h, xc - x, yc + y, argb);
    set(px, w, h, xc + x, yc - y, argb);
    set(px, w, h, xc - x, yc - y, argb);
    set(px, w, h, xc + y, yc + x, argb);
    set(px, w, h, xc - y, yc + x, argb);
    set(px, w, h, xc + y, yc - x, argb);
    set(px, w, h, xc - y, yc - x, argb);
  }

  /**
   * The library's Bresenham: along the major axis from the start towards the end it first steps the
   * minor coordinate when the error says so, then sets the pixel, then advances; so the pixel at
   * the start's major coordinate is set (possibly one step off on the minor axis), the end's is
   * not, and a line whose major extent is zero draws nothing.
   */
  static void line(int[] px, int w, int h, int x1, int y1, int x2, int y2, int argb) {
    int dx = Math.abs(x2 - x1);
    int dy = Math.abs(y2 - y1);
    boolean steep = dy > dx;
    if (steep) {
      int t = x1;
      x1 = y1;
      y1 = t;
      t = x2;
      x2 = y2;
      y2 = t;
      t = dx;
      dx = dy;
      dy = t;
    }
    int ix = x2 - x1 > 0 ? 1 : -1;
    int iy = y2 - y1 > 0 ? 1 : -1;
    int d = 2 * dy - dx;
    while (x1 != x2) {
      if (d < 0) {
        d += 2 * dy;
      } else {
        y1 += iy;
        d += 2 * (dy - dx);
      }
      if (steep) {
        set(px, w, h, y1, x1, argb);
      } else {
        set(px, w, h, x1, y1, argb);
      }
      x1 += ix;
    }
  }

  private static void set(int[] px, int w, int h, int x, int y, int argb) {
    if (x >= 0 && x < w && y >= 0 && y < h) {
      px[y * w + x] = argb;
    }
  }

  /**
   * The in-place ripple: x in the outer loop, y in the inner; each pixel takes the pixel at {@code
   * (x + trunc(A*sin(k*y)), y + trunc(A*cos(k*x)))}, k = 1.4*pi/200, when that one is not
   * transparent (outside the image counts as transparent), and otherwise keeps its own.
   */
  static void ripple(int[] argb, int w, int h, double amplitude) {
    double k = 1.4 * Math.PI / 200.0;
    for (int x = 0; x < w; x++) {
      int shiftY = (int) (amplitude * Math.cos(x * k));
      for (int y = 0; y < h; y++) {
        int sx = x + (int) (amplitude * Math.sin(y * k));
        int sy = y + shiftY;
        if (sx < 0 || sx >= w || sy < 0 || sy >= h) {
          continue;
        }
        int v = argb[sy * w + sx];
        if ((v >>> 24) != 0) {
          argb[y * w + x] = v;
        }
      }
    }
  }
}
