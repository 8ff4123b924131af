package dev.captcha.generator;

import java.awt.Font;
import java.util.List;
import java.util.Objects;

/**
 * Everything that decides how one captcha looks: its size, background, the dots and lines under the
 * text, and each glyph's character, font, colour and rotation, and whether the ripple runs. A
 * value: immutable and thread-safe. {@link CaptchaRenderer} draws it; {@link CaptchaGenerator}
 * makes random ones; a replayed reference case is one too.
 *
 * <p>Colours are opaque RGB as {@code 0xRRGGBB}.
 */
public record CaptchaSpec(
    int width,
    int height,
    int background,
    List<Dot> dots,
    List<Line> lines,
    List<Glyph> glyphs,
    boolean ripple) {

  /** A dot of the disturbance: a midpoint circle of the given radius, a 1-px ring unless filled. */
  public record Dot(int x, int y, int radius, boolean filled, int rgb) {}

  /**
   * A 1-px line of the disturbance, drawn with the library's Bresenham from (x0, y0) to (x1, y1).
   */
  public record Line(int x0, int y0, int x1, int y1, int rgb) {}

  /**
   * One character: drawn in its own tile in {@code font} (any size; the renderer scales it to the
   * captcha's font size), rotated by {@code degrees} (negative turns it clockwise on screen), its
   * outline optionally altered by {@code variation} before it is rasterised.
   */
  public record Glyph(char character, Font font, int degrees, int rgb, Variation variation) {
    public Glyph {
      Objects.requireNonNull(font, "font");
      Objects.requireNonNull(variation, "variation");
    }

    /** A glyph drawn exactly as the font defines it, as the library draws. */
    public Glyph(char character, Font font, int degrees, int rgb) {
      this(character, font, degrees, rgb, Variation.NONE);
    }
  }

  /**
   * A change to a glyph's outline that the library never makes, used to teach a model fonts it has
   * not seen: the width scaled about the pen, a slant about the baseline (x moves right by {@code
   * slant * height above the baseline}), and the outline grown (positive) or shrunk (negative) by
   * {@code embolden} pixels on every side, or with {@code sideways} on the left and right only, so
   * that the glyph keeps its height (the cue between {@code l} and {@code I} in many fonts). Before
   * all that, the outline may be scaled by {@code scale} about the pen on the baseline and moved
   * down by {@code drop} times the font size, as fonts draw digits at the height of their lowercase
   * letters or as old-style figures that reach below the baseline.
   */
  public record Variation(
      double widthScale,
      double slant,
      double embolden,
      boolean sideways,
      double scale,
      double drop) {
    /** No change. */
    public static final Variation NONE = new Variation(1, 0, 0);

    /** A variation that grows or shrinks the outline on every side. */
    public Variation(double widthScale, double slant, double embolden) {
      this(widthScale, slant, embolden, false);
    }

    /** A variation that keeps the glyph's size and place. */
    public Variation(double widthScale, double slant, double embolden, boolean sideways) {
      this(widthScale, slant, embolden, sideways, 1, 0);
    }

    public Variation {
      if (!(widthScale >= 0.5 && widthScale <= 2)
          || !(Math.abs(slant) <= 0.5)
          || !(Math.abs(embolden) <= 3)
          || !(scale >= 0.4 && scale <= 1.5)
          || !(Math.abs(drop) <= 0.5)) {
        throw new IllegalArgumentException(
            "variation out of range: width "
                + widthScale
                + ", slant "
                + slant
                + ", embolden "
                + embolden
                + ", scale "
                + scale
                + ", drop "
                + drop);
      }
    }

    /** This variation with the outline first scaled by {@code s} and moved down by {@code d}. */
    public Variation resized(double s, double d) {
      return new Variation(widthScale, slant, embolden, sideways, s, d);
    }

    /** Whether this changes the outline at all. */
    public boolean isNone() {
      return widthScale == 1 && slant == 0 && embolden == 0 && scale == 1 && drop == 0;
    }
  }

  public CaptchaSpec {
    if (width < 1 || height < 1 || width > 4096 || height > 4096) {
      throw new IllegalArgumentException(
          "size must be within 1..4096 pixels, got " + width + "x" + height);
    }
    dots = List.copyOf(dots);
    lines = List.copyOf(lines);
    glyphs = List.copyOf(glyphs);
  }

  /** The characters drawn, in order. */
  public String text() {
    StringBuilder sb = new StringBuilder(glyphs.size());
    glyphs.forEach(g -> sb.append(g.character()));
    return sb.toString();
  }

  /** The library's font size for this height: {@code int(0.6 * height)}. */
  public int fontSize() {
    return fontSize(height);
  }

  /**
   * The library's font size for a captcha {@code height} pixels high: {@code int(0.6 * height)}.
   */
  public static int fontSize(int height) {
    return (int) (0.6 * height);
  }

  /**
   * The library's step between the tiles of {@code count} characters across a {@code width x
   * height} captcha: {@code (width - 2 * (fs / 4)) / count}, with {@code fs} the font size.
   */
  public static int glyphGap(int width, int height, int count) {
    return (width - 2 * (fontSize(height) / 4)) / count;
  }

  /**
   * The first column of character {@code index}'s tile: {@code fs / 4 + gap * index}, as the
   * library pastes it.
   */
  public static int glyphLeft(int width, int height, int count, int index) {
    return fontSize(height) / 4 + glyphGap(width, height, count) * index;
  }
}
