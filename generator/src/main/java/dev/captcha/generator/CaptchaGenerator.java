package dev.captcha.generator;

import java.awt.AlphaComposite;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Draws captchas in the style of the afocus/captcha Go library; immutable and thread-safe (each call
 * allocates its own buffers).
 *
 * <p>The steps follow that library: a solid background, dots and nearly horizontal lines in the
 * front colour, then each character in its own square tile (baseline fixed in the tile, clipped),
 * rotated by a whole-degree angle with bilinear sampling and pasted at a fixed step; then a ripple
 * that thickens and doubles the strokes, and the text layer drawn over the background.
 *
 * <p>Output is a pure function of {@code (seed, index)}, so datasets are reproducible and can be
 * generated in parallel.
 */
public final class CaptchaGenerator {

  /** The eight background colours of the usual set-up. */
  public static final List<Color> DEFAULT_BACKGROUNDS =
      List.of(
          new Color(255, 0, 0),
          new Color(0, 255, 0),
          new Color(0, 0, 255),
          new Color(255, 255, 0),
          new Color(255, 0, 255),
          new Color(0, 255, 255),
          new Color(255, 165, 0),
          new Color(128, 128, 128));

  private final int width;
  private final int height;
  private final int length;
  private final Disturbance disturbance;
  private final Charset charset;
  private final Font[] fonts;
  private final int[] backgrounds;
  private final int[] fronts;
  private final int fontSize;

  private CaptchaGenerator(Builder b) {
    this.width = b.width;
    this.height = b.height;
    this.length = b.length;
    this.disturbance = b.disturbance;
    this.charset = b.charset;
    this.fontSize = (int) (0.6 * b.height);
    this.fonts = b.fonts.stream().map(f -> f.deriveFont((float) fontSize)).toArray(Font[]::new);
    this.backgrounds = b.backgrounds.stream().mapToInt(c -> c.getRGB() | 0xFF000000).toArray();
    this.fronts = b.fronts.stream().mapToInt(c -> c.getRGB() | 0xFF000000).toArray();
  }

  /** A builder with the usual set-up: 128x64, 4 characters, MEDIUM, ALL, white text. */
  public static Builder builder() {
    return new Builder();
  }

  /** Number of characters per captcha. */
  public int length() {
    return length;
  }

  /** Generates the captcha number {@code index} of the stream identified by {@code seed}. */
  public Captcha generate(long seed, long index) {
    SplittableRandom rnd = new SplittableRandom(mix(seed, index));
    return generate(rnd);
  }

  /** Generates one captcha drawing all randomness from {@code rnd}. */
  public Captcha generate(SplittableRandom rnd) {
    char[] text = new char[length];
    for (int i = 0; i < length; i++) {
      text[i] = charset.draw(rnd);
    }
    int background = backgrounds[rnd.nextInt(backgrounds.length)];

    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    int[] px = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
    java.util.Arrays.fill(px, background);
    drawDots(px, rnd);
    drawLines(px, rnd);

    BufferedImage textLayer = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
    drawText(textLayer, text, rnd);
    if (height >= 48) {
      ripple(((DataBufferInt) textLayer.getRaster().getDataBuffer()).getData());
    }
    Graphics2D g = out.createGraphics();
    try {
      g.setComposite(AlphaComposite.SrcOver);
      g.drawImage(textLayer, 0, 0, null);
    } finally {
      g.dispose();
    }
    return new Captcha(new String(text), out);
  }

  private void drawDots(int[] px, SplittableRandom rnd) {
    int maxExtra = Math.max(1, height / 20);
    for (int i = 0; i < disturbance.count(); i++) {
      int cx = rnd.nextInt(width);
      int cy = rnd.nextInt(height);
      int r = 1 + rnd.nextInt(maxExtra);
      int colour = fronts[rnd.nextInt(fronts.length)];
      boolean outline = i % 4 == 0;
      for (int dy = -r - 1; dy <= r + 1; dy++) {
        for (int dx = -r - 1; dx <= r + 1; dx++) {
          double d = Math.sqrt(dx * dx + dy * dy);
          boolean on = outline ? Math.abs(d - r) < 0.5 : d <= r;
          if (on) {
            set(px, cx + dx, cy + dy, colour);
          }
        }
      }
    }
  }

  private void drawLines(int[] px, SplittableRandom rnd) {
    int maxDy = Math.max(1, height / 10);
    for (int i = 0; i < disturbance.count(); i++) {
      int x0 = rnd.nextInt(width);
      int y0 = rnd.nextInt(height);
      int sign = i % 2 == 0 ? 1 : -1;
      int x1 = x0 + sign * rnd.nextInt(height);
      int y1 = y0 + sign * rnd.nextInt(maxDy);
      bresenham(px, x0, y0, x1, y1, fronts[rnd.nextInt(fronts.length)]);
    }
  }

  private void bresenham(int[] px, int x0, int y0, int x1, int y1, int colour) {
    int dx = Math.abs(x1 - x0);
    int dy = -Math.abs(y1 - y0);
    int sx = x0 < x1 ? 1 : -1;
    int sy = y0 < y1 ? 1 : -1;
    int err = dx + dy;
    while (true) {
      set(px, x0, y0, colour);
      if (x0 == x1 && y0 == y1) {
        return;
      }
      int e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x0 += sx;
      }
      if (e2 <= dx) {
        err += dx;
        y0 += sy;
      }
    }
  }

  private void set(int[] px, int x, int y, int colour) {
    if (x >= 0 && x < width && y >= 0 && y < height) {
      px[y * width + x] = colour;
    }
  }

  private void drawText(BufferedImage layer, char[] text, SplittableRandom rnd) {
    int padding = fontSize / 4;
    int gap = (width - 2 * padding) / text.length;
    int baseline = fontSize - fontSize / 6;
    Graphics2D g = layer.createGraphics();
    try {
      g.setComposite(AlphaComposite.SrcOver);
      for (int i = 0; i < text.length; i++) {
        Font font = fonts[rnd.nextInt(fonts.length)];
        int colour = fronts[rnd.nextInt(fronts.length)];
        int degrees = rnd.nextInt(40) - 20;

        BufferedImage tile = new BufferedImage(fontSize, fontSize, BufferedImage.TYPE_INT_ARGB);
        Graphics2D tg = tile.createGraphics();
        try {
          tg.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
          tg.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
          tg.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
          tg.setFont(font);
          tg.setColor(new Color(colour, false));
          tg.drawString(String.valueOf(text[i]), 0, baseline);
        } finally {
          tg.dispose();
        }

        double theta = Math.toRadians(degrees);
        int side = (int) (fontSize * (Math.abs(Math.cos(theta)) + Math.abs(Math.sin(theta))) + 0.5);
        BufferedImage rotated = new BufferedImage(side, side, BufferedImage.TYPE_INT_ARGB);
        Graphics2D rg = rotated.createGraphics();
        try {
          rg.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
          AffineTransform at = new AffineTransform();
          at.translate(side / 2.0, side / 2.0);
          at.rotate(theta);
          at.translate(-fontSize / 2.0, -fontSize / 2.0);
          rg.drawImage(tile, at, null);
        } finally {
          rg.dispose();
        }
        g.drawImage(rotated, padding + gap * i, (height - side) / 2, null);
      }
    } finally {
      g.dispose();
    }
  }

  /**
   * The in-place ripple: each pixel takes the value at a sinusoidally shifted position when that
   * pixel is not transparent, otherwise keeps its own (which doubles and thickens strokes).
   */
  private void ripple(int[] argb) {
    double amplitude = fontSize / 10.0;
    double k = 1.4 * Math.PI / 200.0;
    for (int x = 0; x < width; x++) {
      int shiftY = (int) (amplitude * Math.cos(k * x));
      for (int y = 0; y < height; y++) {
        int sx = x + (int) (amplitude * Math.sin(k * y));
        int sy = y + shiftY;
        if (sx < 0 || sx >= width || sy < 0 || sy >= height) {
          continue;
        }
        int v = argb[sy * width + sx];
        if ((v >>> 24) != 0) {
          argb[y * width + x] = v;
        }
      }
    }
  }

  /** A 64-bit mix of seed and index (SplitMix64 finaliser), so nearby indices are unrelated. */
  static long mix(long seed, long index) {
    long z = seed * 0x9E3779B97F4A7C15L + index + 0x632BE59BD9B4E019L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Validated settings for a {@link CaptchaGenerator}; not thread-safe. */
  public static final class Builder {
    private int width = 128;
    private int height = 64;
    private int length = 4;
    private Disturbance disturbance = Disturbance.MEDIUM;
    private Charset charset = Charset.ALL;
    private List<Font> fonts;
    private List<Color> backgrounds = DEFAULT_BACKGROUNDS;
    private List<Color> fronts = List.of(Color.WHITE);

    private Builder() {}

    /** Image size in pixels (the usual is 128x64). */
    public Builder size(int width, int height) {
      if (width < 16 || height < 16 || width > 4096 || height > 4096) {
        throw new IllegalArgumentException("size must be within 16..4096 pixels, got " + width + "x" + height);
      }
      this.width = width;
      this.height = height;
      return this;
    }

    /** Characters per captcha. */
    public Builder length(int length) {
      if (length < 1 || length > 32) {
        throw new IllegalArgumentException("length must be 1..32, got " + length);
      }
      this.length = length;
      return this;
    }

    public Builder disturbance(Disturbance disturbance) {
      this.disturbance = Objects.requireNonNull(disturbance, "disturbance");
      return this;
    }

    public Builder charset(Charset charset) {
      this.charset = Objects.requireNonNull(charset, "charset");
      return this;
    }

    /** Fonts to draw characters in; each character picks one uniformly. */
    public Builder fonts(List<Font> fonts) {
      if (fonts == null || fonts.isEmpty()) {
        throw new IllegalArgumentException("at least one font is required");
      }
      this.fonts = List.copyOf(fonts);
      return this;
    }

    public Builder backgrounds(List<Color> backgrounds) {
      if (backgrounds == null || backgrounds.isEmpty()) {
        throw new IllegalArgumentException("at least one background colour is required");
      }
      this.backgrounds = List.copyOf(backgrounds);
      return this;
    }

    public Builder frontColors(List<Color> fronts) {
      if (fronts == null || fronts.isEmpty()) {
        throw new IllegalArgumentException("at least one front colour is required");
      }
      this.fronts = List.copyOf(fronts);
      return this;
    }

    public CaptchaGenerator build() {
      if (fonts == null) {
        throw new IllegalStateException("fonts must be set (see FontCatalog)");
      }
      if ((width - 2 * ((int) (0.6 * height) / 4)) / length < 1) {
        throw new IllegalArgumentException("image too narrow for " + length + " characters");
      }
      return new CaptchaGenerator(this);
    }
  }
}
