package dev.captcha.training.data;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Degrades a share of training captchas the ways images change on their way to a user, so a model
 * learns to read them after JPEG, rescaling, sub-pixel shifts, blur, gamma and palettes; immutable
 * and thread-safe.
 *
 * <p>Image {@code index} of stream {@code seed} is degraded with probability {@code rate}; it then
 * gets one change (60%), two (30%) or three (10%) of different kinds, applied in the order an image
 * meets them (geometry and blur, then tone, then the encoder): rescaling by 0.5x to 3x
 * (log-uniform) with a nearest, bilinear, bicubic or area filter and back with another drawn
 * filter; a shift of up to one pixel in x and y; a Gaussian blur of sigma 0.3 to 1.0; gamma 0.6 to
 * 1.6 (log-uniform); an adaptive palette of 32 to 256 colours or the fixed web palette; JPEG at
 * quality {@code jpegMinQuality} (50 unless set) to 95, the lower qualities more often ({@link
 * #jpegQuality}). Rescaling and shifts come up three times as often as blur, gamma or a palette,
 * JPEG four times; {@code shiftWeight} sets the shifts' weight instead (3 unless set). The draw
 * depends only on {@code (seed, index)}, so a run and a resumed run see the same images.
 */
public final class Augmenter {

  /** Kinds of change and their relative frequency when an image is degraded. */
  private enum Kind {
    RESCALE(3),
    SHIFT(3),
    BLUR(1),
    GAMMA(1),
    PALETTE(1),
    JPEG(4);

    final int weight;

    Kind(int weight) {
      this.weight = weight;
    }
  }

  private static final Resampler.Filter[] FILTERS = Resampler.Filter.values();

  /** The lowest JPEG quality drawn unless another is set. */
  public static final int DEFAULT_JPEG_MIN_QUALITY = 50;

  /** The lowest {@code jpegMinQuality} accepted: below 10 a captcha is mostly blocks. */
  public static final int JPEG_MIN_QUALITY_FLOOR = 10;

  /** The highest JPEG quality drawn. */
  public static final int JPEG_MAX_QUALITY = 95;

  /** The shifts' weight unless set: as often as rescaling. */
  public static final int DEFAULT_SHIFT_WEIGHT = Kind.SHIFT.weight;

  /** The highest shift weight accepted: 20 makes about two thirds of the first changes shifts. */
  public static final int MAX_SHIFT_WEIGHT = 20;

  private final double rate;
  private final int jpegMinQuality;
  private final int[] weights;

  /**
   * @param rate probability in [0, 1] that an image is degraded at all
   */
  public Augmenter(double rate) {
    this(rate, DEFAULT_JPEG_MIN_QUALITY);
  }

  /**
   * @param rate probability in [0, 1] that an image is degraded at all
   * @param jpegMinQuality the lowest JPEG quality drawn, 10 to 95
   */
  public Augmenter(double rate, int jpegMinQuality) {
    this(rate, jpegMinQuality, DEFAULT_SHIFT_WEIGHT);
  }

  /**
   * @param rate probability in [0, 1] that an image is degraded at all
   * @param jpegMinQuality the lowest JPEG quality drawn, 10 to 95
   * @param shiftWeight the sub-pixel shifts' weight among the kinds of change, 0 (never) to 20;
   *     rescaling has 3, JPEG 4, blur, gamma and palettes 1 each
   */
  public Augmenter(double rate, int jpegMinQuality, int shiftWeight) {
    if (!(rate >= 0 && rate <= 1)) {
      throw new IllegalArgumentException("augmentation rate must be in [0, 1], got " + rate);
    }
    checkJpegMinQuality(jpegMinQuality);
    checkShiftWeight(shiftWeight);
    this.rate = rate;
    this.jpegMinQuality = jpegMinQuality;
    this.weights = new int[Kind.values().length];
    for (Kind k : Kind.values()) {
      weights[k.ordinal()] = k == Kind.SHIFT ? shiftWeight : k.weight;
    }
  }

  /** Refuses a shift weight outside 0..20, naming the bounds. */
  public static void checkShiftWeight(int w) {
    if (w < 0 || w > MAX_SHIFT_WEIGHT) {
      throw new IllegalArgumentException(
          "shift weight must be within 0.." + MAX_SHIFT_WEIGHT + ", got " + w);
    }
  }

  /** Refuses a lowest JPEG quality outside 10..95, naming the bounds. */
  public static void checkJpegMinQuality(int q) {
    if (q < JPEG_MIN_QUALITY_FLOOR || q > JPEG_MAX_QUALITY) {
      throw new IllegalArgumentException(
          "lowest JPEG quality must be within "
              + JPEG_MIN_QUALITY_FLOOR
              + ".."
              + JPEG_MAX_QUALITY
              + ", got "
              + q);
    }
  }

  /** The probability that an image is degraded. */
  public double rate() {
    return rate;
  }

  /** The lowest JPEG quality drawn. */
  public int jpegMinQuality() {
    return jpegMinQuality;
  }

  /** The sub-pixel shifts' weight among the kinds of change. */
  public int shiftWeight() {
    return weights[Kind.SHIFT.ordinal()];
  }

  /** The image {@code index} of stream {@code seed}, degraded or (a share 1 - rate) as it is. */
  public BufferedImage apply(BufferedImage image, long seed, long index) {
    List<Degradation> steps = draw(seed, index);
    BufferedImage out = image;
    for (Degradation d : steps) {
      out = d.apply(out);
    }
    return out;
  }

  /** The changes drawn for image {@code index} of stream {@code seed} (empty: left as it is). */
  public List<Degradation> draw(long seed, long index) {
    SplittableRandom rnd = new SplittableRandom(mix(seed, index));
    if (rate == 0 || rnd.nextDouble() >= rate) {
      return List.of();
    }
    double u = rnd.nextDouble();
    int count = u < 0.6 ? 1 : u < 0.9 ? 2 : 3;
    boolean[] chosen = new boolean[Kind.values().length];
    for (int i = 0; i < count; i++) {
      chosen[pick(rnd, chosen).ordinal()] = true;
    }
    List<Degradation> steps = new ArrayList<>();
    for (Kind k : Kind.values()) { // declaration order is the order of application
      if (chosen[k.ordinal()]) {
        steps.add(make(k, rnd));
      }
    }
    return List.copyOf(steps);
  }

  private Kind pick(SplittableRandom rnd, boolean[] taken) {
    int total = 0;
    for (Kind k : Kind.values()) {
      total += taken[k.ordinal()] ? 0 : weights[k.ordinal()];
    }
    int r = rnd.nextInt(total);
    for (Kind k : Kind.values()) {
      if (taken[k.ordinal()]) {
        continue;
      }
      r -= weights[k.ordinal()];
      if (r < 0) {
        return k;
      }
    }
    throw new AssertionError("unreachable");
  }

  private Degradation make(Kind kind, SplittableRandom rnd) {
    return switch (kind) {
      case RESCALE -> {
        double factor = Math.exp(rnd.nextDouble(Math.log(0.5), Math.log(3.0)));
        yield new Degradation.Rescale(
            factor, FILTERS[rnd.nextInt(FILTERS.length)], FILTERS[rnd.nextInt(FILTERS.length)]);
      }
      case SHIFT -> new Degradation.Shift(rnd.nextDouble(-1, 1), rnd.nextDouble(-1, 1));
      case BLUR -> new Degradation.Blur(rnd.nextDouble(0.3, 1.0));
      case GAMMA -> new Degradation.Gamma(Math.exp(rnd.nextDouble(Math.log(0.6), Math.log(1.6))));
      case PALETTE ->
          rnd.nextInt(4) == 0
              ? new Degradation.WebPalette()
              : new Degradation.Palette(32 << rnd.nextInt(4));
      case JPEG -> new Degradation.Jpeg(jpegQuality(jpegMinQuality, rnd.nextDouble()));
    };
  }

  /**
   * JPEG quality {@code min} to 95 for a uniform {@code u} in [0, 1), drawn as {@code min + (96 -
   * min) u^1.5}: the low qualities, which change a captcha most, come up more often than the high
   * ones (with {@code min} 50, below 65 in about 47% of the JPEG changes, against 33% for a uniform
   * draw).
   */
  static int jpegQuality(int min, double u) {
    return min + (int) ((JPEG_MAX_QUALITY + 1 - min) * Math.pow(u, 1.5));
  }

  /** A well-mixed seed for image {@code index} of stream {@code seed} (SplitMix64 finaliser). */
  private static long mix(long seed, long index) {
    long z = seed * 0x9E3779B97F4A7C15L + index + 0x632BE59BD9B4E019L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
