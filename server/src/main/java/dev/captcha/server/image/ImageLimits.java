package dev.captcha.server.image;

/**
 * Bounds on accepted images, checked before decoding; immutable.
 *
 * @param maxBytes largest encoded image
 * @param maxSide largest width or height in pixels
 * @param maxPixels largest width times height
 */
public record ImageLimits(int maxBytes, int maxSide, long maxPixels) {

  /** Generous limits for captchas: 4 MiB, 2048 pixels a side, 4 megapixels. */
  public static final ImageLimits DEFAULT = new ImageLimits(4 << 20, 2048, 4L << 20);

  /** Validates the bounds. */
  public ImageLimits {
    if (maxBytes < 1 || maxSide < 1 || maxPixels < 1) {
      throw new IllegalArgumentException("image limits must be positive");
    }
  }
}
