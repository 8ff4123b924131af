package dev.captcha.generator;

import java.awt.Font;
import java.awt.Shape;
import java.awt.font.FontRenderContext;
import java.awt.font.GlyphVector;
import java.awt.geom.AffineTransform;
import java.awt.geom.PathIterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rasterises one character the way the library's text drawing does, into the coverage of its square
 * tile; thread-safe, with a cache of finished tiles (a tile depends only on font, character and
 * size, never on rotation or colour).
 *
 * <p>The library draws each character alone in a transparent {@code fs x fs} tile with the pen at x
 * = 0 and the baseline at {@code fs - fs/6}, unhinted, and clips it to the tile. Its rasteriser
 * computes the exact area of each pixel covered by the outline (non-zero winding) and quantises it
 * to 12 bits before keeping the top 8. This class does the same on the unhinted outline that the
 * JDK's font scaler gives for the font, flattened finely, so the result does not depend on the
 * JDK's own glyph rasteriser or on how it places glyph images.
 */
final class GlyphTiles {

  /** Maximum distance of the flattened outline from the true curve, in pixels. */
  private static final double FLATNESS = 0.01;

  private static final FontRenderContext UNHINTED = new FontRenderContext(null, true, true);

  private record Key(Font font, char character, int size) {}

  private record OutlineKey(Font font, char character, int size) {}

  private final Map<Key, byte[]> cache = new ConcurrentHashMap<>();
  private final Map<OutlineKey, Shape> outlines = new ConcurrentHashMap<>();

  /**
   * The 8-bit coverage of {@code character} in {@code font} at {@code size} px, row-major {@code
   * size x size}; the returned array is shared and must not be modified.
   */
  byte[] coverage(Font font, char character, int size) {
    return cache.computeIfAbsent(
        new Key(font, character, size), k -> coverage(outline(font, character, size), size));
  }

  /**
   * The coverage of a varied glyph; computed anew each time (variations are continuous, so they are
   * not cached), from the cached outline: size, drop, width and slant transform the outline,
   * growing or shrinking works on the coverage (a 3x3 grey-level dilation or erosion, blended for
   * fractions of a pixel).
   */
  byte[] coverage(Font font, char character, int size, CaptchaSpec.Variation variation) {
    if (variation.isNone()) {
      return coverage(font, character, size);
    }
    int baseline = size - size / 6;
    AffineTransform t = new AffineTransform();
    t.translate(0, baseline);
    t.shear(-variation.slant(), 0);
    t.scale(variation.widthScale(), 1);
    t.translate(0, variation.drop() * size);
    t.scale(variation.scale(), variation.scale());
    t.translate(0, -baseline);
    byte[] cov = coverage(t.createTransformedShape(outline(font, character, size)), size);
    return morph(cov, size, variation.embolden(), variation.sideways());
  }

  private Shape outline(Font font, char character, int size) {
    return outlines.computeIfAbsent(
        new OutlineKey(font, character, size),
        k -> {
          Font sized = font.deriveFont((float) size);
          GlyphVector gv = sized.createGlyphVector(UNHINTED, new char[] {character});
          return gv.getGlyphOutline(0, 0f, size - size / 6);
        });
  }

  /** Grows (amount &gt; 0) or shrinks the coverage by about {@code |amount|} pixels. */
  static byte[] morph(byte[] cov, int size, double amount) {
    return morph(cov, size, amount, false);
  }

  /**
   * Grows (amount &gt; 0) or shrinks the coverage by about {@code |amount|} pixels, on every side
   * or ({@code sideways}) on the left and right only, the rows the glyph spans unchanged.
   */
  static byte[] morph(byte[] cov, int size, double amount, boolean sideways) {
    int reach = sideways ? 0 : 1;
    byte[] cur = cov;
    double left = Math.abs(amount);
    boolean grow = amount > 0;
    while (left > 0) {
      double step = Math.min(1, left);
      byte[] next = new byte[cur.length];
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          int v = cur[y * size + x] & 0xFF;
          int m = v;
          for (int dy = -reach; dy <= reach; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
              int xx = x + dx;
              int yy = y + dy;
              int n = xx < 0 || yy < 0 || xx >= size || yy >= size ? 0 : cur[yy * size + xx] & 0xFF;
              m = grow ? Math.max(m, n) : Math.min(m, n);
            }
          }
          next[y * size + x] = (byte) Math.round(v + step * (m - v));
        }
      }
      cur = next;
      left -= step;
    }
    return cur;
  }

  /**
   * The clipped, quantised coverage of {@code outline} over the tile {@code [0, size)^2}, placed as
   * the library places it.
   *
   * <p>The library rasterises a glyph into a mask spanning whole pixel columns from {@code
   * floor(left)} to {@code ceil(right)} of the outline's control box, and pastes it clipped to the
   * tile, but always reads the mask from its first column: a glyph that reaches left of the pen (x
   * &lt; 0) is therefore drawn shifted right by {@code -floor(left)} pixels, and only the first
   * {@code ceil(right)} columns of the mask appear.
   */
  static byte[] coverage(Shape outline, int size) {
    double[] box = controlBox(outline);
    int maskLeft = (int) Math.floor(box[0]);
    int maskRight = (int) Math.ceil(box[1]);
    byte[] out = new byte[size * size];
    if (maskRight <= maskLeft) {
      return out;
    }
    int stride = maskRight - maskLeft + 2;
    double[] acc = new double[size * stride];
    double[] pts = new double[6];
    double startX = 0;
    double startY = 0;
    double lastX = 0;
    double lastY = 0;
    for (PathIterator it = outline.getPathIterator(null, FLATNESS); !it.isDone(); it.next()) {
      switch (it.currentSegment(pts)) {
        case PathIterator.SEG_MOVETO -> {
          if (lastX != startX || lastY != startY) {
            edge(acc, stride, size, lastX - maskLeft, lastY, startX - maskLeft, startY);
          }
          startX = lastX = pts[0];
          startY = lastY = pts[1];
        }
        case PathIterator.SEG_LINETO -> {
          edge(acc, stride, size, lastX - maskLeft, lastY, pts[0] - maskLeft, pts[1]);
          lastX = pts[0];
          lastY = pts[1];
        }
        case PathIterator.SEG_CLOSE -> {
          edge(acc, stride, size, lastX - maskLeft, lastY, startX - maskLeft, startY);
          lastX = startX;
          lastY = startY;
        }
        default -> throw new IllegalStateException("flattened path has a curve segment");
      }
    }
    if (lastX != startX || lastY != startY) {
      edge(acc, stride, size, lastX - maskLeft, lastY, startX - maskLeft, startY);
    }
    // Mask column m (pixel maskLeft + m of the outline) lands on tile column firstColumn + m.
    int firstColumn = Math.max(0, maskLeft);
    int lastColumn = Math.min(size, maskRight);
    for (int y = 0; y < size; y++) {
      double winding = 0;
      for (int m = 0; m < stride; m++) {
        winding += acc[y * stride + m];
        int x = firstColumn + m;
        if (x >= lastColumn) {
          break;
        }
        out[y * size + x] = (byte) quantise(Math.abs(winding));
      }
    }
    return out;
  }

  /** The box of all points of the outline, control points included: {minX, maxX}. */
  private static double[] controlBox(Shape outline) {
    double minX = Double.POSITIVE_INFINITY;
    double maxX = Double.NEGATIVE_INFINITY;
    double[] pts = new double[6];
    for (PathIterator it = outline.getPathIterator(null); !it.isDone(); it.next()) {
      int type = it.currentSegment(pts);
      int n =
          switch (type) {
            case PathIterator.SEG_MOVETO, PathIterator.SEG_LINETO -> 1;
            case PathIterator.SEG_QUADTO -> 2;
            case PathIterator.SEG_CUBICTO -> 3;
            default -> 0;
          };
      for (int k = 0; k < n; k++) {
        minX = Math.min(minX, pts[2 * k]);
        maxX = Math.max(maxX, pts[2 * k]);
      }
    }
    return new double[] {minX, maxX};
  }

  /** Coverage in [0, 1] (more where contours overlap) to the rasteriser's 8-bit alpha. */
  static int quantise(double coverage) {
    long twelveBit = Math.min(0x0fff, Math.round(coverage * 4096));
    return (int) (twelveBit >> 4);
  }

  /**
   * Adds one directed edge to the accumulation rows: each row crossed gets, per pixel, the signed
   * area to the right of the edge within that pixel, and the rest of its height in the next pixel,
   * so that a running sum along the row gives the winding-weighted coverage.
   */
  private static void edge(
      double[] acc, int stride, int rows, double x0, double y0, double x1, double y1) {
    if (y0 == y1) {
      return;
    }
    double dir = 1;
    if (y0 > y1) {
      dir = -1;
      double t = x0;
      x0 = x1;
      x1 = t;
      t = y0;
      y0 = y1;
      y1 = t;
    }
    double slope = (x1 - x0) / (y1 - y0);
    int first = Math.max(0, (int) Math.floor(y0));
    int last = Math.min(rows, (int) Math.ceil(y1));
    for (int row = first; row < last; row++) {
      double ya = Math.max(row, y0);
      double yb = Math.min(row + 1, y1);
      if (yb <= ya) {
        continue;
      }
      double xa = x0 + (ya - y0) * slope;
      double xb = x0 + (yb - y0) * slope;
      rowPiece(acc, row * stride, stride, xa, xb, (yb - ya) * dir);
    }
  }

  /**
   * Spreads a straight piece of edge inside one row, of signed height {@code h}, over its pixels.
   */
  private static void rowPiece(double[] acc, int base, int stride, double xa, double xb, double h) {
    if (xa > xb) {
      double t = xa;
      xa = xb;
      xb = t;
    }
    xa = Math.max(0, Math.min(stride - 2, xa));
    xb = Math.max(0, Math.min(stride - 2, xb));
    int ia = (int) Math.floor(xa);
    int ib = (int) Math.floor(xb);
    if (ia == ib || xb == xa) {
      cell(acc, base + ia, (xa + xb) / 2 - ia, h);
      return;
    }
    double perX = h / (xb - xa);
    double s = xa;
    for (int i = ia; i <= ib && s < xb; i++) {
      double e = Math.min(i + 1, xb);
      cell(acc, base + i, (s + e) / 2 - i, perX * (e - s));
      s = e;
    }
  }

  private static void cell(double[] acc, int index, double fractionLeftOfEdge, double h) {
    acc[index] += h * (1 - fractionLeftOfEdge);
    acc[index + 1] += h * fractionLeftOfEdge;
  }
}
