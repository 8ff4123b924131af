package dev.captcha.training.data;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * One way an image changes on its way to a user (re-encoding, rescaling, a sub-pixel shift, blur,
 * gamma, a palette), with fixed parameters; implementations are immutable and thread-safe, and
 * {@link #apply} is a pure function of the image.
 *
 * <p>Each has a name ({@link #name()}) that {@link #parse} reads back, e.g. {@code jpeg75}, {@code
 * scale2-bilinear}, {@code shift0.25}, {@code blur0.6}, {@code gamma1.5}, {@code palette256}.
 */
public sealed interface Degradation {

  /** The changed image, as {@code TYPE_INT_RGB}; the input is not modified. */
  BufferedImage apply(BufferedImage image);

  /** The name {@link #parse} reads back. */
  String name();

  /** No change (a copy), the clean reference. */
  record None() implements Degradation {
    @Override
    public BufferedImage apply(BufferedImage image) {
      return Pixels.image(Pixels.rgb(image), image.getWidth(), image.getHeight());
    }

    @Override
    public String name() {
      return "none";
    }
  }

  /**
   * Saved as a baseline JPEG at {@code quality} (1..100, ImageIO with explicit quality) and
   * decoded.
   */
  record Jpeg(int quality) implements Degradation {
    public Jpeg {
      if (quality < 1 || quality > 100) {
        throw new IllegalArgumentException("JPEG quality must be 1..100, got " + quality);
      }
    }

    @Override
    public BufferedImage apply(BufferedImage image) {
      BufferedImage rgb = Pixels.image(Pixels.rgb(image), image.getWidth(), image.getHeight());
      ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
      try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(quality / 100f);
        writer.setOutput(out);
        writer.write(null, new IIOImage(rgb, null, null), param);
      } catch (IOException e) {
        throw new UncheckedIOException("JPEG encoding failed", e);
      } finally {
        writer.dispose();
      }
      ImageReader reader = ImageIO.getImageReadersByFormatName("jpeg").next();
      try (ImageInputStream in =
          new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
        reader.setInput(in, true, true);
        BufferedImage decoded = reader.read(0);
        return Pixels.image(Pixels.rgb(decoded), decoded.getWidth(), decoded.getHeight());
      } catch (IOException e) {
        throw new UncheckedIOException("JPEG decoding failed", e);
      } finally {
        reader.dispose();
      }
    }

    @Override
    public String name() {
      return "jpeg" + quality;
    }
  }

  /**
   * Scaled by {@code factor} with {@code filter}; with {@code back} set, scaled back to the
   * original size with that filter, otherwise left at the new size (a server scales it back
   * itself).
   */
  record Rescale(double factor, Resampler.Filter filter, Resampler.Filter back)
      implements Degradation {
    public Rescale {
      if (!(factor >= 0.1 && factor <= 8)) {
        throw new IllegalArgumentException("scale factor must be in [0.1, 8], got " + factor);
      }
      Objects.requireNonNull(filter, "filter");
    }

    @Override
    public BufferedImage apply(BufferedImage image) {
      int w = Math.max(1, (int) Math.round(image.getWidth() * factor));
      int h = Math.max(1, (int) Math.round(image.getHeight() * factor));
      BufferedImage scaled = Resampler.resize(image, w, h, filter);
      return back == null
          ? scaled
          : Resampler.resize(scaled, image.getWidth(), image.getHeight(), back);
    }

    @Override
    public String name() {
      String base = "scale" + number(factor) + "-" + filter.name().toLowerCase(Locale.ROOT);
      return back == null ? base : base + "-back-" + back.name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Moved by {@code dx, dy} pixels (fractions of a pixel) with bilinear interpolation; edges
   * repeat.
   */
  record Shift(double dx, double dy) implements Degradation {
    public Shift {
      if (Math.abs(dx) > 4 || Math.abs(dy) > 4) {
        throw new IllegalArgumentException("shift must be within 4 pixels, got " + dx + ", " + dy);
      }
    }

    @Override
    public BufferedImage apply(BufferedImage image) {
      int w = image.getWidth();
      int h = image.getHeight();
      int[] in = Pixels.rgb(image);
      int[] out = new int[w * h];
      int ix = (int) Math.floor(dx);
      int iy = (int) Math.floor(dy);
      float fx = (float) (dx - ix);
      float fy = (float) (dy - iy);
      // out(x, y) = in(x - dx, y - dy): blend the four source pixels around (x - dx, y - dy)
      for (int y = 0; y < h; y++) {
        int y1 = clampIndex(y - iy, h);
        int y0 = clampIndex(y - iy - 1, h);
        for (int x = 0; x < w; x++) {
          int x1 = clampIndex(x - ix, w);
          int x0 = clampIndex(x - ix - 1, w);
          out[y * w + x] =
              blend(in[y0 * w + x0], in[y0 * w + x1], in[y1 * w + x0], in[y1 * w + x1], fx, fy);
        }
      }
      return Pixels.image(out, w, h);
    }

    @Override
    public String name() {
      return dx == dy ? "shift" + number(dx) : "shift" + number(dx) + ":" + number(dy);
    }

    private static int blend(int p00, int p01, int p10, int p11, float fx, float fy) {
      int out = 0xFF000000;
      for (int s = 16; s >= 0; s -= 8) {
        float top = fx * ((p00 >>> s) & 0xFF) + (1 - fx) * ((p01 >>> s) & 0xFF);
        float bottom = fx * ((p10 >>> s) & 0xFF) + (1 - fx) * ((p11 >>> s) & 0xFF);
        out |= Resampler.clamp(fy * top + (1 - fy) * bottom) << s;
      }
      return out;
    }
  }

  /** A Gaussian blur of standard deviation {@code sigma} pixels (separable, edges repeat). */
  record Blur(double sigma) implements Degradation {
    public Blur {
      if (!(sigma > 0 && sigma <= 5)) {
        throw new IllegalArgumentException("blur sigma must be in (0, 5], got " + sigma);
      }
    }

    @Override
    public BufferedImage apply(BufferedImage image) {
      int w = image.getWidth();
      int h = image.getHeight();
      int radius = Math.max(1, (int) Math.ceil(3 * sigma));
      float[] kernel = new float[2 * radius + 1];
      float sum = 0;
      for (int i = -radius; i <= radius; i++) {
        kernel[i + radius] = (float) Math.exp(-(i * i) / (2 * sigma * sigma));
        sum += kernel[i + radius];
      }
      for (int i = 0; i < kernel.length; i++) {
        kernel[i] /= sum;
      }
      int[] in = Pixels.rgb(image);
      float[] mid = new float[3 * w * h];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          float r = 0;
          float g = 0;
          float b = 0;
          for (int k = -radius; k <= radius; k++) {
            int p = in[y * w + clampIndex(x + k, w)];
            float c = kernel[k + radius];
            r += c * ((p >>> 16) & 0xFF);
            g += c * ((p >>> 8) & 0xFF);
            b += c * (p & 0xFF);
          }
          int at = 3 * (y * w + x);
          mid[at] = r;
          mid[at + 1] = g;
          mid[at + 2] = b;
        }
      }
      int[] out = new int[w * h];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          float r = 0;
          float g = 0;
          float b = 0;
          for (int k = -radius; k <= radius; k++) {
            int at = 3 * (clampIndex(y + k, h) * w + x);
            float c = kernel[k + radius];
            r += c * mid[at];
            g += c * mid[at + 1];
            b += c * mid[at + 2];
          }
          out[y * w + x] =
              0xFF000000
                  | (Resampler.clamp(r) << 16)
                  | (Resampler.clamp(g) << 8)
                  | Resampler.clamp(b);
        }
      }
      return Pixels.image(out, w, h);
    }

    @Override
    public String name() {
      return "blur" + number(sigma);
    }
  }

  /** Each channel mapped through {@code 255 * (v / 255) ^ gamma}. */
  record Gamma(double gamma) implements Degradation {
    public Gamma {
      if (!(gamma >= 0.2 && gamma <= 5)) {
        throw new IllegalArgumentException("gamma must be in [0.2, 5], got " + gamma);
      }
    }

    @Override
    public BufferedImage apply(BufferedImage image) {
      int[] lut = new int[256];
      for (int v = 0; v < 256; v++) {
        lut[v] = (int) Math.round(255 * Math.pow(v / 255.0, gamma));
      }
      int[] px = Pixels.rgb(image);
      for (int i = 0; i < px.length; i++) {
        int p = px[i];
        px[i] =
            0xFF000000
                | (lut[(p >>> 16) & 0xFF] << 16)
                | (lut[(p >>> 8) & 0xFF] << 8)
                | lut[p & 0xFF];
      }
      return Pixels.image(px, image.getWidth(), image.getHeight());
    }

    @Override
    public String name() {
      return "gamma" + number(gamma);
    }
  }

  /**
   * Reduced to an adaptive palette of at most {@code colours} colours (median cut, nearest colour,
   * no dithering), as an 8-bit indexed PNG or GIF stores it. A clean captcha of the project's
   * generator (two colours blended by anti-aliasing) has fewer than 256 colours, so {@code
   * palette256} changes it only after another change (rescaling, blur, JPEG) has added colours.
   */
  record Palette(int colours) implements Degradation {
    public Palette {
      if (colours < 2 || colours > 256) {
        throw new IllegalArgumentException("palette size must be 2..256, got " + colours);
      }
    }

    @Override
    public BufferedImage apply(BufferedImage image) {
      int[] px = Pixels.rgb(image);
      int[] palette = MedianCut.palette(px, colours);
      Map<Integer, Integer> nearest = new HashMap<>();
      for (int i = 0; i < px.length; i++) {
        px[i] = nearest.computeIfAbsent(px[i], c -> MedianCut.nearest(palette, c));
      }
      return Pixels.image(px, image.getWidth(), image.getHeight());
    }

    @Override
    public String name() {
      return "palette" + colours;
    }
  }

  /**
   * Drawn into Java's default 8-bit indexed image ({@code TYPE_BYTE_INDEXED}: a fixed 6x6x6 colour
   * cube plus grays, with Java2D's ordered dithering), as a tool with a fixed web palette saves it.
   */
  record WebPalette() implements Degradation {
    @Override
    public BufferedImage apply(BufferedImage image) {
      BufferedImage indexed =
          new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_BYTE_INDEXED);
      Graphics2D g = indexed.createGraphics();
      try {
        g.drawImage(image, 0, 0, null);
      } finally {
        g.dispose();
      }
      return Pixels.image(Pixels.rgb(indexed), image.getWidth(), image.getHeight());
    }

    @Override
    public String name() {
      return "palette-web";
    }
  }

  /** Several changes one after the other. */
  record Chain(List<Degradation> steps) implements Degradation {
    public Chain {
      steps = List.copyOf(steps);
      if (steps.isEmpty()) {
        throw new IllegalArgumentException("a chain needs at least one step");
      }
    }

    @Override
    public BufferedImage apply(BufferedImage image) {
      BufferedImage out = image;
      for (Degradation d : steps) {
        out = d.apply(out);
      }
      return out;
    }

    @Override
    public String name() {
      return String.join("+", steps.stream().map(Degradation::name).toList());
    }
  }

  /** The names {@link #parse} understands, as patterns for error messages. */
  String GRAMMAR =
      "none, jpegQ (Q 1..100), scaleF-FILTER or scaleF-FILTER-back-FILTER (F e.g. 0.5, 2, 3; FILTER nearest,"
          + " bilinear, bicubic or area), shiftD or shiftDX:DY (pixels), blurS (sigma), gammaG, paletteN (2..256"
          + " colours), palette-web, or several joined with '+'";

  /**
   * Reads a name such as {@code jpeg75}, {@code scale2-bilinear}, {@code shift0.25}, {@code
   * blur0.6}, {@code gamma1.5}, {@code palette256}, {@code palette-web} or a chain {@code
   * scale2-bilinear+jpeg90}.
   *
   * @throws IllegalArgumentException naming the unknown or out-of-range change and the known forms
   */
  static Degradation parse(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    if (n.contains("+")) {
      List<Degradation> steps = new ArrayList<>();
      for (String part : n.split("\\+")) {
        steps.add(parse(part));
      }
      return new Chain(steps);
    }
    Matcher m;
    try {
      if (n.equals("none")) {
        return new None();
      }
      if (n.equals("palette-web")) {
        return new WebPalette();
      }
      if ((m = Pattern.compile("jpeg(\\d{1,3})").matcher(n)).matches()) {
        return new Jpeg(Integer.parseInt(m.group(1)));
      }
      if ((m = Pattern.compile("scale(\\d+(?:\\.\\d+)?)-([a-z]+)(?:-back-([a-z]+))?").matcher(n))
          .matches()) {
        return new Rescale(
            Double.parseDouble(m.group(1)),
            filter(m.group(2), name),
            m.group(3) == null ? null : filter(m.group(3), name));
      }
      if ((m = Pattern.compile("shift(-?\\d+(?:\\.\\d+)?)(?::(-?\\d+(?:\\.\\d+)?))?").matcher(n))
          .matches()) {
        double dx = Double.parseDouble(m.group(1));
        return new Shift(dx, m.group(2) == null ? dx : Double.parseDouble(m.group(2)));
      }
      if ((m = Pattern.compile("blur(\\d+(?:\\.\\d+)?)").matcher(n)).matches()) {
        return new Blur(Double.parseDouble(m.group(1)));
      }
      if ((m = Pattern.compile("gamma(\\d+(?:\\.\\d+)?)").matcher(n)).matches()) {
        return new Gamma(Double.parseDouble(m.group(1)));
      }
      if ((m = Pattern.compile("palette(\\d{1,3})").matcher(n)).matches()) {
        return new Palette(Integer.parseInt(m.group(1)));
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad change '" + name + "': " + e.getMessage(), e);
    }
    throw new IllegalArgumentException("unknown change '" + name + "'; known: " + GRAMMAR);
  }

  private static Resampler.Filter filter(String s, String whole) {
    for (Resampler.Filter f : Resampler.Filter.values()) {
      if (f.name().toLowerCase(Locale.ROOT).equals(s)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "unknown filter '" + s + "' in '" + whole + "'; known: nearest, bilinear, bicubic, area");
  }

  private static int clampIndex(int i, int size) {
    return i < 0 ? 0 : Math.min(size - 1, i);
  }

  /** A number without trailing zeros: 2, 0.25, 1.5. */
  private static String number(double v) {
    String s = String.format(Locale.ROOT, "%.3f", v).replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
