package dev.captcha.training.finetune;

import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.Disturbances;
import dev.captcha.model.ColorMode;
import dev.captcha.model.InputSpec;
import dev.captcha.model.Preprocessor;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Varies an existing captcha the ways the library varies its own, so a few hundred labelled images
 * go further: another background colour, extra dots and lines drawn with the library's
 * rasterisation in the text colour, and the library's ripple; stateless and thread-safe.
 *
 * <p>The image is first turned into RGB exactly as the server's preprocessing starts (alpha over
 * black, through the contract's {@link Preprocessor}), at its own size; the model's resize comes
 * after, so an image of another size is varied at its size and then stretched as the server does.
 * Each change is drawn independently: each character turned by its own angle (with {@code
 * maxDegrees} above 0) 0.5, background colour 0.5, one to three dots 0.5, one or two lines 0.5,
 * ripple 0.3.
 */
final class SampleVariation {

  /** Probability that a character's slot is turned, when turning is on. */
  static final double SLOT_TURN_SHARE = 0.5;

  /** Largest per-channel distance from the background colour that still counts as background. */
  static final int BACKGROUND_TOLERANCE = 40;

  /** Least distance (RGB, Euclidean) between text and background for blending by opacity. */
  static final int MIN_TEXT_CONTRAST = 30;

  private static final int[] BACKGROUNDS =
      CaptchaGenerator.DEFAULT_BACKGROUNDS.stream().mapToInt(c -> c.getRGB() & 0xFFFFFF).toArray();

  private SampleVariation() {}

  /**
   * The image with the changes drawn from {@code rnd}, as a new opaque RGB image.
   *
   * @param n characters in the image
   * @param maxDegrees largest angle a character is turned by ({@link #turnSlots}); 0: never
   */
  static BufferedImage vary(BufferedImage image, int n, double maxDegrees, SplittableRandom rnd) {
    int w = image.getWidth();
    int h = image.getHeight();
    BufferedImage out = rgb(image);
    int[] px = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
    if (maxDegrees > 0) {
      turnSlots(px, w, h, n, maxDegrees, rnd);
    }
    if (rnd.nextDouble() < 0.5) {
      recolourBackground(px, BACKGROUNDS[rnd.nextInt(BACKGROUNDS.length)]);
    }
    int text = brightest(px);
    if (rnd.nextDouble() < 0.5) {
      int dots = 1 + rnd.nextInt(3);
      for (int i = 0; i < dots; i++) {
        int r = 1 + rnd.nextInt(Math.max(1, h / 20));
        Disturbances.dot(px, w, h, rnd.nextInt(w), rnd.nextInt(h), r, i % 4 != 0, text);
      }
    }
    if (rnd.nextDouble() < 0.5) {
      int lines = 1 + rnd.nextInt(2);
      for (int i = 0; i < lines; i++) {
        int x = rnd.nextInt(w);
        int y = rnd.nextInt(h);
        int sign = i % 2 == 0 ? 1 : -1;
        int dx = rnd.nextInt(h) * sign;
        int dy = rnd.nextInt(Math.max(1, h / 10)) * sign;
        Disturbances.line(px, w, h, x, y, x + dx, y + dy, text);
      }
    }
    if (rnd.nextDouble() < 0.3) {
      double amplitude = 0.6 * h / 10.0 * (0.3 + 0.7 * rnd.nextDouble());
      Disturbances.ripple(px, w, h, amplitude);
    }
    return out;
  }

  /**
   * Turns the text of each of the {@code n} character slots ({@link SlotMix#slots}), with
   * probability {@link #SLOT_TURN_SHARE}, by its own angle uniform in [-maxDegrees, maxDegrees]
   * about the slot's centre, as if the library had drawn that character at another angle. Each
   * pixel is read as the text colour (the brightest) over the background (the commonest colour) at
   * an opacity, as {@link #recolourBackground} reads it; the opacity is turned within the slot's
   * columns (bilinear, nothing read from outside them) and the slot written back as that opacity of
   * the text colour over the background. Where text and background are too alike to tell apart
   * nothing is turned.
   */
  static void turnSlots(int[] px, int w, int h, int n, double maxDegrees, SplittableRandom rnd) {
    int[] b = channels(background(px));
    int[] f = channels(brightest(px));
    double norm = squaredDistance(f, b);
    int[] slots = SlotMix.slots(w, h, n);
    int gap = n == 0 ? 0 : slots[n];
    if (norm < (double) MIN_TEXT_CONTRAST * MIN_TEXT_CONTRAST || gap < 2) {
      return;
    }
    float[] alpha = new float[px.length];
    int[] p = new int[3];
    for (int i = 0; i < px.length; i++) {
      unpack(px[i], p);
      alpha[i] = (float) opacity(p, b, f, norm);
    }
    for (int s = 0; s < n; s++) {
      if (rnd.nextDouble() >= SLOT_TURN_SHARE) {
        continue;
      }
      double angle = Math.toRadians((2 * rnd.nextDouble() - 1) * maxDegrees);
      int x0 = Math.max(0, slots[s]);
      int x1 = Math.min(w, s == n - 1 ? w : slots[s] + gap);
      double cx = (x0 + x1) / 2.0;
      double cy = h / 2.0;
      double cos = Math.cos(angle);
      double sin = Math.sin(angle);
      int[] v = new int[3];
      for (int y = 0; y < h; y++) {
        for (int x = x0; x < x1; x++) {
          double dx = x + 0.5 - cx;
          double dy = y + 0.5 - cy;
          double sx = cx + dx * cos - dy * sin - 0.5;
          double sy = cy + dx * sin + dy * cos - 0.5;
          double t = bilinear(alpha, w, h, x0, x1, sx, sy);
          for (int c = 0; c < 3; c++) {
            v[c] = clamp((int) Math.round(b[c] + t * (f[c] - b[c])));
          }
          px[y * w + x] = 0xFF000000 | v[0] << 16 | v[1] << 8 | v[2];
        }
      }
    }
  }

  /** {@code a} at a fractional point, columns outside [x0, x1) and rows outside the image 0. */
  private static double bilinear(float[] a, int w, int h, int x0, int x1, double sx, double sy) {
    int ix = (int) Math.floor(sx);
    int iy = (int) Math.floor(sy);
    double fx = sx - ix;
    double fy = sy - iy;
    return (1 - fy)
            * ((1 - fx) * at(a, w, h, x0, x1, ix, iy) + fx * at(a, w, h, x0, x1, ix + 1, iy))
        + fy
            * ((1 - fx) * at(a, w, h, x0, x1, ix, iy + 1)
                + fx * at(a, w, h, x0, x1, ix + 1, iy + 1));
  }

  private static double at(float[] a, int w, int h, int x0, int x1, int x, int y) {
    return x < x0 || x >= x1 || y < 0 || y >= h ? 0 : a[y * w + x];
  }

  /** The image's RGB after the server's first step (alpha over black), rounded to 8 bits. */
  static BufferedImage rgb(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    float[] planes =
        new Preprocessor(new InputSpec(3, h, w, ColorMode.RGB, 1f, 0f, 1f)).toTensor(image);
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int[] px = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
    int plane = w * h;
    for (int i = 0; i < plane; i++) {
      int r = channel(planes[i]);
      int g = channel(planes[plane + i]);
      int b = channel(planes[2 * plane + i]);
      px[i] = 0xFF000000 | r << 16 | g << 8 | b;
    }
    return out;
  }

  private static int channel(float v) {
    return Math.max(0, Math.min(255, Math.round(v)));
  }

  /**
   * Replaces the background (the commonest colour) by {@code colour}. Each pixel is read as the
   * text colour (the brightest) over the background with an opacity {@code t}, the least-squares
   * fit of {@code p - background} on {@code text - background} clamped to [0, 1], plus what that
   * leaves over; it is written as the same opacity of the text colour over the new background plus
   * the same remainder, so anti-aliased edges blend into the new background as the library would
   * have drawn them. Where text and background are too alike to tell apart (under {@link
   * #MIN_TEXT_CONTRAST} levels), the pixels within {@link #BACKGROUND_TOLERANCE} of the background
   * are moved by the colour difference instead.
   */
  static void recolourBackground(int[] px, int colour) {
    int[] b = channels(background(px));
    int[] f = channels(brightest(px));
    int[] to = channels(colour);
    double norm = squaredDistance(f, b);
    boolean blend = norm >= (double) MIN_TEXT_CONTRAST * MIN_TEXT_CONTRAST;
    int[] p = new int[3];
    int[] v = new int[3];
    for (int i = 0; i < px.length; i++) {
      unpack(px[i], p);
      if (blend) {
        double t = opacity(p, b, f, norm);
        for (int c = 0; c < 3; c++) {
          double rest = p[c] - (b[c] + t * (f[c] - b[c]));
          v[c] = clamp((int) Math.round(to[c] + t * (f[c] - to[c]) + rest));
        }
      } else {
        int far = 0;
        for (int c = 0; c < 3; c++) {
          far = Math.max(far, Math.abs(p[c] - b[c]));
        }
        if (far > BACKGROUND_TOLERANCE) {
          continue;
        }
        for (int c = 0; c < 3; c++) {
          v[c] = clamp(to[c] + p[c] - b[c]);
        }
      }
      px[i] = 0xFF000000 | v[0] << 16 | v[1] << 8 | v[2];
    }
  }

  /** The squared RGB distance between two colours. */
  private static double squaredDistance(int[] x, int[] y) {
    double sum = 0;
    for (int c = 0; c < 3; c++) {
      sum += (double) (x[c] - y[c]) * (x[c] - y[c]);
    }
    return sum;
  }

  /**
   * The opacity of text colour {@code f} over background {@code b} that best explains pixel {@code
   * p}: the least-squares fit of {@code p - b} on {@code f - b} ({@code norm} is their squared
   * distance), clamped to [0, 1].
   */
  private static double opacity(int[] p, int[] b, int[] f, double norm) {
    double dot = 0;
    for (int c = 0; c < 3; c++) {
      dot += (double) (p[c] - b[c]) * (f[c] - b[c]);
    }
    return Math.max(0, Math.min(1, dot / norm));
  }

  private static int[] channels(int rgb) {
    int[] out = new int[3];
    unpack(rgb, out);
    return out;
  }

  private static void unpack(int rgb, int[] out) {
    out[0] = (rgb >> 16) & 0xFF;
    out[1] = (rgb >> 8) & 0xFF;
    out[2] = rgb & 0xFF;
  }

  /** The commonest colour of the pixels: the background of a library captcha. */
  static int background(int[] px) {
    Map<Integer, Integer> counts = new HashMap<>();
    int mode = 0;
    int best = -1;
    for (int p : px) {
      int c = p & 0xFFFFFF;
      int n = counts.merge(c, 1, Integer::sum);
      if (n > best) {
        best = n;
        mode = c;
      }
    }
    return mode;
  }

  /** The colour with the highest min(R, G, B): the text colour of a library captcha (white). */
  static int brightest(int[] px) {
    int best = 0;
    int bestMin = -1;
    for (int p : px) {
      int m = Math.min((p >> 16) & 0xFF, Math.min((p >> 8) & 0xFF, p & 0xFF));
      if (m > bestMin) {
        bestMin = m;
        best = p & 0xFFFFFF;
      }
    }
    return best;
  }

  private static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }
}
