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
 * quality 50 to 95, the lower qualities more often ({@link #jpegQuality}). Rescaling and shifts
 * come up three times as often as blur, gamma or a palette, JPEG four times. The draw depends only
 * on {@code (seed, index)}, so a run and a resumed run see the same images.
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

  private final double rate;

  /**
   * @param rate probability in [0, 1] that an image is degraded at all
   */
  public Augmenter(double rate) {
    if (!(rate >= 0 && rate <= 1)) {
      throw new IllegalArgumentException("augmentation rate must be in [0, 1], got " + rate);
    }
    this.rate = rate;
  }

  /** The probability that an image is degraded. */
  public double rate() {
    return rate;
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

  private static Kind pick(SplittableRandom rnd, boolean[] taken) {
    int total = 0;
    for (Kind k : Kind.values()) {
      total += taken[k.ordinal()] ? 0 : k.weight;
    }
    int r = rnd.nextInt(total);
    for (Kind k : Kind.values()) {
      if (taken[k.ordinal()]) {
        continue;
      }
      r -= k.weight;
      if (r < 0) {
        return k;
      }
    }
    throw new AssertionError("unreachable");
  }

  private static Degradation make(Kind kind, SplittableRandom rnd) {
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
      case JPEG -> new Degradation.Jpeg(jpegQuality(rnd.nextDouble()));
    };
  }

  /**
   * JPEG quality 50 to 95 for a uniform {@code u} in [0, 1), drawn as {@code 50 + 46 u^1.5}: the
   * low qualities, which change a captcha most, come up more often than the high ones (below 65 in
   * about 47% of the JPEG changes, against 33% for a uniform draw).
   */
  static int jpegQuality(double u) {
    return 50 + (int) (46 * Math.pow(u, 1.5));
  }

  /** A well-mixed seed for image {@code index} of stream {@code seed} (SplitMix64 finaliser). */
  private static long mix(long seed, long index) {
    long z = seed * 0x9E3779B97F4A7C15L + index + 0x632BE59BD9B4E019L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
