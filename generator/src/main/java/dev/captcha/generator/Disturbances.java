package dev.captcha.generator;

/**
 * The library's dots, lines and ripple, drawn onto a pixel array that already holds an image (for
 * varying captchas that were not drawn here); stateless and thread-safe, each call writes only the
 * array it is given.
 *
 * <p>Pixels are ARGB ints, row-major, {@code w * h} of them. Dots and lines use exactly the
 * rasterisation of {@link CaptchaRenderer}; the ripple is the library's in-place ripple, which
 * moves a pixel only onto one whose alpha is not zero, so on an opaque image it shifts everything.
 */
public final class Disturbances {

  private Disturbances() {}

  /** A dot: the library's midpoint circle of radius {@code r}, outlined or filled. */
  public static void dot(
      int[] argb, int w, int h, int x, int y, int r, boolean filled, int colour) {
    check(argb, w, h);
    CaptchaRenderer.circle(argb, w, h, x, y, r, filled, 0xFF000000 | colour);
  }

  /** A line with the library's Bresenham from {@code (x0, y0)} towards {@code (x1, y1)}. */
  public static void line(int[] argb, int w, int h, int x0, int y0, int x1, int y1, int colour) {
    check(argb, w, h);
    CaptchaRenderer.line(argb, w, h, x0, y0, x1, y1, 0xFF000000 | colour);
  }

  /** The library's ripple with amplitude {@code amplitude} pixels (it uses font size / 10). */
  public static void ripple(int[] argb, int w, int h, double amplitude) {
    check(argb, w, h);
    CaptchaRenderer.ripple(argb, w, h, amplitude);
  }

  private static void check(int[] argb, int w, int h) {
    if (w < 1 || h < 1 || argb.length < (long) w * h) {
      throw new IllegalArgumentException(
          "need " + w + " x " + h + " pixels, got an array of " + argb.length);
    }
  }
}
