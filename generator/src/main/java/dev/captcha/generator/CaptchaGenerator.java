package dev.captcha.generator;

import java.awt.Color;
import java.awt.Font;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Makes random captchas with the afocus/captcha library's distributions and draws them with {@link
 * CaptchaRenderer}; immutable and thread-safe.
 *
 * <p>The draws follow the library's {@code Create}: one background from the palette; for each of
 * the disturbance's dots a uniform centre, radius {@code 1 + random(H/20)}, a front colour, and a
 * ring for every fourth (index {@code i % 4 == 0}) and a filled disc otherwise; for each line a
 * uniform start and the end {@code start + s*(random(H), random(H/10))} with {@code s} alternating
 * +1, -1; the text from the charset; then per character a front colour, a font and a whole-degree
 * angle uniform in [-20, 19]. The ripple runs when {@code H >= 48}. Fonts are picked with the
 * weights given to the builder (uniform by default), so a few large families cannot dominate.
 *
 * <p>Output is a pure function of {@code (seed, index)}, so datasets are reproducible and can be
 * generated in parallel.
 */
public final class CaptchaGenerator {

  /** The most font faces {@link Builder#siteFonts} lets one captcha load. */
  public static final int MAX_SITE_FONTS = 32;

  /** Smallest height of digits drawn small, as a share of the font's own digit height. */
  public static final double SMALL_DIGIT_MIN = 0.6;

  /** Largest height of digits drawn small, as a share of the font's own digit height. */
  public static final double SMALL_DIGIT_MAX = 0.8;

  /** The usual height of a lining digit as a share of the font size (about the cap height). */
  static final double DIGIT_HEIGHT = 0.7;

  /**
   * Checks a {@link Builder#siteFonts} value.
   *
   * @throws IllegalArgumentException if {@code maxFaces} is outside 0..{@link #MAX_SITE_FONTS}
   */
  public static void checkSiteFonts(int maxFaces) {
    if (maxFaces < 0 || maxFaces > MAX_SITE_FONTS) {
      throw new IllegalArgumentException(
          "site fonts must be within 0.." + MAX_SITE_FONTS + ", got " + maxFaces);
    }
  }

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

  private static final CaptchaRenderer SHARED_RENDERER = new CaptchaRenderer();

  private final int width;
  private final int height;
  private final int length;
  private final Disturbance disturbance;
  private final Charset charset;
  private final List<Font> fonts;
  private final double[] cumulativeWeights;
  private final int[] backgrounds;
  private final int[] fronts;
  private final double variationRate;
  private final String cueKeeping;
  private final String oversampled;
  private final double[] oversampledCumulative;
  private final double oversampleShare;
  private final int siteFonts;
  private final double smallDigitRate;
  private final CaptchaRenderer renderer;

  private CaptchaGenerator(Builder b) {
    this.width = b.width;
    this.height = b.height;
    this.length = b.length;
    this.disturbance = b.disturbance;
    this.charset = b.charset;
    this.fonts = b.fonts;
    this.cumulativeWeights = cumulative(b.weights);
    this.backgrounds = b.backgrounds.stream().mapToInt(c -> c.getRGB() & 0xFFFFFF).toArray();
    this.fronts = b.fronts.stream().mapToInt(c -> c.getRGB() & 0xFFFFFF).toArray();
    this.variationRate = b.variationRate;
    this.cueKeeping = b.cueKeeping;
    this.oversampled = b.oversampled;
    double[] p = new double[oversampled.length()];
    for (int i = 0; i < p.length; i++) {
      p[i] = charset.probability(oversampled.charAt(i));
    }
    this.oversampledCumulative = cumulative(p);
    this.oversampleShare = b.oversampleShare;
    this.siteFonts = b.siteFonts;
    this.smallDigitRate = b.smallDigitRate;
    this.renderer = SHARED_RENDERER;
  }

  /** A builder with the usual set-up: 128x64, 4 characters, MEDIUM, ALL, white text. */
  public static Builder builder() {
    return new Builder();
  }

  /** Number of characters per captcha. */
  public int length() {
    return length;
  }

  /** The renderer this generator draws with (shared, so its glyph cache is too). */
  public CaptchaRenderer renderer() {
    return renderer;
  }

  /** Generates the captcha number {@code index} of the stream identified by {@code seed}. */
  public Captcha generate(long seed, long index) {
    return render(spec(seed, index));
  }

  /** Generates one captcha drawing all randomness from {@code rnd}. */
  public Captcha generate(SplittableRandom rnd) {
    return render(spec(rnd));
  }

  /** Draws a spec (made here or elsewhere) with this generator's renderer. */
  public Captcha render(CaptchaSpec spec) {
    return new Captcha(spec.text(), renderer.render(spec));
  }

  /** The spec of captcha number {@code index} of the stream {@code seed}, without drawing it. */
  public CaptchaSpec spec(long seed, long index) {
    return spec(new SplittableRandom(mix(seed, index)));
  }

  /** A random spec with the library's distributions, drawing all randomness from {@code rnd}. */
  public CaptchaSpec spec(SplittableRandom rnd) {
    int background = backgrounds[rnd.nextInt(backgrounds.length)];
    int count = disturbance.count();
    List<CaptchaSpec.Dot> dots = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int x = rnd.nextInt(width);
      int y = rnd.nextInt(height);
      int r = 1 + rnd.nextInt(Math.max(1, height / 20));
      int colour = fronts[rnd.nextInt(fronts.length)];
      dots.add(new CaptchaSpec.Dot(x, y, r, i % 4 != 0, colour));
    }
    List<CaptchaSpec.Line> lines = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int x = rnd.nextInt(width);
      int y = rnd.nextInt(height);
      int sign = i % 2 == 0 ? 1 : -1;
      int dx = rnd.nextInt(height) * sign;
      int dy = rnd.nextInt(Math.max(1, height / 10)) * sign;
      int colour = fronts[rnd.nextInt(fronts.length)];
      lines.add(new CaptchaSpec.Line(x, y, x + dx, y + dy, colour));
    }
    char[] text = new char[length];
    for (int i = 0; i < length; i++) {
      text[i] =
          oversampleShare > 0 && rnd.nextDouble() < oversampleShare
              ? oversampled.charAt(pick(oversampledCumulative, rnd.nextDouble()))
              : charset.draw(rnd);
    }
    // With site fonts, the captcha first loads 1..siteFonts faces by the weights, as a site loads
    // its few font files; its characters then pick among those. Without, among all the faces.
    int[] loaded = null;
    if (siteFonts > 0) {
      loaded = new int[1 + rnd.nextInt(siteFonts)];
      for (int i = 0; i < loaded.length; i++) {
        loaded[i] = pickFont(rnd.nextDouble());
      }
    }
    // Some fonts draw digits at the height of their lowercase letters, or as old-style figures;
    // a share of captchas draws its digits so (drawn only when asked, so that other seeds keep
    // their captchas).
    double digitScale = 1;
    boolean oldStyle = false;
    if (smallDigitRate > 0 && rnd.nextDouble() < smallDigitRate) {
      digitScale = SMALL_DIGIT_MIN + (SMALL_DIGIT_MAX - SMALL_DIGIT_MIN) * rnd.nextDouble();
      oldStyle = rnd.nextBoolean();
    }
    List<CaptchaSpec.Glyph> glyphs = new ArrayList<>(length);
    for (char c : text) {
      int colour = fronts[rnd.nextInt(fronts.length)];
      Font font =
          fonts.get(
              loaded == null ? pickFont(rnd.nextDouble()) : loaded[rnd.nextInt(loaded.length)]);
      int degrees = rnd.nextInt(40) - 20;
      CaptchaSpec.Variation variation = CaptchaSpec.Variation.NONE;
      if (variationRate > 0 && rnd.nextDouble() < variationRate) {
        double width = 0.85 + 0.3 * rnd.nextDouble();
        double slant = -0.1 + 0.3 * rnd.nextDouble();
        double embolden = -0.4 + 1.3 * rnd.nextDouble();
        // The same draws either way, so that a seed gives the same captchas with and without.
        variation =
            cueKeeping == null
                ? new CaptchaSpec.Variation(width, slant, embolden)
                : new CaptchaSpec.Variation(
                    cueKeeping.indexOf(c) >= 0 ? 1 : width, slant, embolden, true);
      }
      if (digitScale != 1 && c >= '0' && c <= '9') {
        variation = smallDigit(variation, c, digitScale, oldStyle);
      }
      glyphs.add(new CaptchaSpec.Glyph(c, font, degrees, colour, variation));
    }
    return new CaptchaSpec(width, height, background, dots, lines, glyphs, height >= 48);
  }

  /**
   * {@code v} with digit {@code c} drawn small: every digit at {@code scale} of its height, or
   * ({@code oldStyle}) as old-style figures: {@code 0 1 2} at that height, {@code 6 8} at their
   * full height and {@code 3 4 5 7 9} at full height but moved down so that their tops meet the
   * small digits' (the tile clips what reaches below it, as the library does).
   */
  static CaptchaSpec.Variation smallDigit(
      CaptchaSpec.Variation v, char c, double scale, boolean oldStyle) {
    if (!oldStyle || "012".indexOf(c) >= 0) {
      return v.resized(scale, 0);
    }
    if ("68".indexOf(c) >= 0) {
      return v;
    }
    return v.resized(1, (1 - scale) * DIGIT_HEIGHT);
  }

  private int pickFont(double u) {
    return pick(cumulativeWeights, u);
  }

  /** The index that {@code u} in [0, 1) falls on in the cumulative weights {@code c}. */
  private static int pick(double[] c, double u) {
    int i = Arrays.binarySearch(c, u * c[c.length - 1]);
    int index = i >= 0 ? i + 1 : -i - 1;
    return Math.min(index, c.length - 1);
  }

  /**
   * The chance that a character of a generated text is {@code c}: the charset's own, mixed with the
   * oversampled characters' share (see {@link Builder#oversample}).
   */
  public double characterProbability(char c) {
    return characterProbability(charset, oversampled, oversampleShare, c);
  }

  /**
   * The chance that a character is {@code c} when a share {@code share} of them is drawn from
   * {@code oversampled} in the odds of {@code charset}, and the rest from {@code charset} as the
   * library draws them.
   */
  public static double characterProbability(
      Charset charset, String oversampled, double share, char c) {
    double own = charset.probability(c);
    if (share == 0 || oversampled.indexOf(c) < 0) {
      return (1 - share) * own;
    }
    double total = 0;
    for (char o : oversampled.toCharArray()) {
      total += charset.probability(o);
    }
    return (1 - share) * own + share * own / total;
  }

  private static double[] cumulative(double[] weights) {
    double[] c = new double[weights.length];
    double sum = 0;
    for (int i = 0; i < weights.length; i++) {
      sum += weights[i];
      c[i] = sum;
    }
    return c;
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
    private double[] weights;
    private List<Color> backgrounds = DEFAULT_BACKGROUNDS;
    private List<Color> fronts = List.of(Color.WHITE);
    private double variationRate;
    private String cueKeeping;
    private String oversampled = "";
    private double oversampleShare;
    private int siteFonts;
    private double smallDigitRate;

    private Builder() {}

    /** Image size in pixels (the usual is 128x64). */
    public Builder size(int width, int height) {
      if (width < 16 || height < 16 || width > 4096 || height > 4096) {
        throw new IllegalArgumentException(
            "size must be within 16..4096 pixels, got " + width + "x" + height);
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
      this.weights = new double[fonts.size()];
      Arrays.fill(weights, 1.0);
      return this;
    }

    /**
     * Fonts with the relative chance of each being picked for a character (for example so that
     * every style group gets the same share however many faces it has).
     */
    public Builder fonts(List<Font> fonts, List<Double> weights) {
      fonts(fonts);
      if (weights == null || weights.size() != fonts.size()) {
        throw new IllegalArgumentException("one weight per font is required");
      }
      for (int i = 0; i < weights.size(); i++) {
        double w = weights.get(i);
        if (!(w > 0) || Double.isInfinite(w)) {
          throw new IllegalArgumentException("font weights must be positive and finite, got " + w);
        }
        this.weights[i] = w;
      }
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

    /**
     * Faces with the weights {@link FontCatalog#weighted} gives them (each style group an equal
     * share).
     */
    public Builder weightedFonts(List<FontCatalog.WeightedFont> weighted) {
      if (weighted == null || weighted.isEmpty()) {
        throw new IllegalArgumentException("at least one font is required");
      }
      return fonts(
          weighted.stream().map(FontCatalog.WeightedFont::font).toList(),
          weighted.stream().map(FontCatalog.WeightedFont::weight).toList());
    }

    /**
     * The share of glyphs whose outline gets a random {@link CaptchaSpec.Variation} (width 0.85 to
     * 1.15, slant -0.1 to 0.2, grown by -0.4 to 0.9 px), to train for fonts not in the list; 0 (the
     * default) draws every glyph as the library does.
     */
    public Builder glyphVariation(double rate) {
      if (!(rate >= 0 && rate <= 1)) {
        throw new IllegalArgumentException("glyph variation rate must be within 0..1, got " + rate);
      }
      this.variationRate = rate;
      return this;
    }

    /**
     * The share of captchas whose digits are drawn small, as fonts that draw digits at the height
     * of their lowercase letters or as old-style figures do: scaled to {@value
     * CaptchaGenerator#SMALL_DIGIT_MIN} to {@value CaptchaGenerator#SMALL_DIGIT_MAX} of their
     * height, half of them as old-style figures (see {@link CaptchaGenerator#smallDigit}); 0 (the
     * default) draws digits as the fonts define them.
     */
    public Builder smallDigits(double rate) {
      if (!(rate >= 0 && rate <= 1)) {
        throw new IllegalArgumentException("small-digit rate must be within 0..1, got " + rate);
      }
      this.smallDigitRate = rate;
      return this;
    }

    /**
     * Makes the glyph variation keep the cues that tell look-alikes apart: strokes grow or shrink
     * sideways only, so every glyph keeps its height ({@code l} and {@code I} of many sans fonts
     * differ by a pixel row), and the characters {@code sameWidth} keep their width ({@code 0} and
     * {@code O} differ mostly in width). {@code null} (the default) varies every glyph alike, on
     * every side. The random draws are the same either way.
     */
    public Builder variationKeepsCues(String sameWidth) {
      this.cueKeeping = sameWidth;
      return this;
    }

    /**
     * Draws a share of the text's characters from {@code characters} instead of the charset, each
     * in proportion to its chance in the charset (so the odds between them stay the library's); for
     * training on rare characters that are hard to tell apart, such as {@code 0Oo1lI}. A share of 0
     * (the default) draws every character as the library does.
     *
     * @throws IllegalArgumentException if the share is outside [0, 1), or the share is positive and
     *     {@code characters} is empty, repeats a character or holds one the charset never draws
     */
    public Builder oversample(String characters, double share) {
      Objects.requireNonNull(characters, "characters");
      if (!(share >= 0 && share < 1)) {
        throw new IllegalArgumentException("oversampled share must be within [0, 1), got " + share);
      }
      this.oversampled = characters;
      this.oversampleShare = share;
      return this;
    }

    /**
     * Draws each captcha as a site would that loads a few font files: the captcha first picks
     * between 1 and {@code maxFaces} faces (the number uniform, each face by its weight), and each
     * of its characters picks one of those uniformly, so the characters of one captcha share their
     * faces as on a real site. 0 (the default) lets every character pick from all the faces, as the
     * library does with all of them loaded.
     *
     * @throws IllegalArgumentException if {@code maxFaces} is outside 0..{@link #MAX_SITE_FONTS}
     */
    public Builder siteFonts(int maxFaces) {
      checkSiteFonts(maxFaces);
      this.siteFonts = maxFaces;
      return this;
    }

    public CaptchaGenerator build() {
      if (oversampleShare > 0) {
        if (oversampled.isEmpty()) {
          throw new IllegalArgumentException("oversampling needs at least one character");
        }
        for (char c : oversampled.toCharArray()) {
          if (oversampled.indexOf(c) != oversampled.lastIndexOf(c)) {
            throw new IllegalArgumentException("oversampled character '" + c + "' is repeated");
          }
          if (charset.probability(c) == 0) {
            throw new IllegalArgumentException(
                "oversampled character '" + c + "' is not in the charset " + charset);
          }
        }
      }
      if (fonts == null) {
        throw new IllegalStateException("fonts must be set (see FontCatalog)");
      }
      if (CaptchaSpec.glyphGap(width, height, length) < 1) {
        throw new IllegalArgumentException("image too narrow for " + length + " characters");
      }
      return new CaptchaGenerator(this);
    }
  }
}
