package dev.captcha.generator;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Compares replayed captchas with the reference images they replay and summarises the agreement per
 * kind of case; immutable and thread-safe once built.
 */
public final class Fidelity {

  /** Levels by which a channel may differ and still count as agreeing. */
  public static final int TOLERANCE = 16;

  /** How one replayed image compares with its reference. */
  public record Comparison(
      String file,
      String kind,
      int pixels,
      int agreeing,
      double meanAbsoluteDifference,
      int maxDifference) {
    /** Share of pixels within {@link #TOLERANCE} on every channel. */
    public double agreement() {
      return (double) agreeing / pixels;
    }
  }

  private final List<Comparison> comparisons;

  public Fidelity(List<Comparison> comparisons) {
    this.comparisons = List.copyOf(comparisons);
  }

  /** Compares two images of the same size, channel by channel. */
  public static Comparison compare(
      String file, String kind, BufferedImage replayed, BufferedImage reference) {
    if (replayed.getWidth() != reference.getWidth()
        || replayed.getHeight() != reference.getHeight()) {
      throw new IllegalArgumentException(
          file
              + ": reference is "
              + reference.getWidth()
              + "x"
              + reference.getHeight()
              + ", replay is "
              + replayed.getWidth()
              + "x"
              + replayed.getHeight());
    }
    int w = replayed.getWidth();
    int h = replayed.getHeight();
    int[] a = replayed.getRGB(0, 0, w, h, null, 0, w);
    int[] b = reference.getRGB(0, 0, w, h, null, 0, w);
    int agreeing = 0;
    long sum = 0;
    int max = 0;
    for (int i = 0; i < a.length; i++) {
      int worst = 0;
      for (int shift = 0; shift <= 16; shift += 8) {
        int d = Math.abs(((a[i] >> shift) & 0xFF) - ((b[i] >> shift) & 0xFF));
        sum += d;
        worst = Math.max(worst, d);
      }
      max = Math.max(max, worst);
      if (worst <= TOLERANCE) {
        agreeing++;
      }
    }
    return new Comparison(file, kind, a.length, agreeing, sum / (3.0 * a.length), max);
  }

  /** The kind of a replayed case: one glyph, text only (no dots or lines), or a full captcha. */
  public static String kindOf(CaptchaSpec spec) {
    if (spec.glyphs().size() == 1 && spec.dots().isEmpty() && spec.lines().isEmpty()) {
      return "single glyph";
    }
    return spec.dots().isEmpty() && spec.lines().isEmpty() ? "text only" : "full";
  }

  public List<Comparison> comparisons() {
    return comparisons;
  }

  /** Share of all pixels, over every case, that agree. */
  public double overallAgreement() {
    long agreeing = comparisons.stream().mapToLong(Comparison::agreeing).sum();
    long pixels = comparisons.stream().mapToLong(Comparison::pixels).sum();
    return pixels == 0 ? 0 : (double) agreeing / pixels;
  }

  /**
   * A report: per kind, the number of cases, the mean absolute difference (levels per channel), the
   * mean and lowest agreement, and the five worst cases.
   */
  public String report() {
    Map<String, List<Comparison>> byKind = new LinkedHashMap<>();
    for (Comparison c : comparisons) {
      byKind.computeIfAbsent(c.kind(), k -> new ArrayList<>()).add(c);
    }
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "%-13s %6s %10s %11s %11s%n",
            "kind",
            "cases",
            "mean |d|",
            "agreement",
            "lowest"));
    byKind.forEach(
        (kind, list) -> {
          double mad =
              list.stream().mapToDouble(Comparison::meanAbsoluteDifference).average().orElse(0);
          double agree = new Fidelity(list).overallAgreement();
          double lowest = list.stream().mapToDouble(Comparison::agreement).min().orElse(0);
          sb.append(
              String.format(
                  Locale.ROOT,
                  "%-13s %6d %10.3f %10.3f%% %10.3f%%%n",
                  kind,
                  list.size(),
                  mad,
                  100 * agree,
                  100 * lowest));
        });
    sb.append(
        String.format(
            Locale.ROOT,
            "all: %d cases, %.4f%% of pixels within %d levels on every channel%n",
            comparisons.size(),
            100 * overallAgreement(),
            TOLERANCE));
    byKind.forEach(
        (kind, list) -> {
          sb.append("worst ").append(kind).append(':');
          list.stream()
              .sorted(
                  Comparator.comparingDouble(Comparison::agreement)
                      .thenComparing(
                          Comparator.comparingDouble(Comparison::meanAbsoluteDifference)
                              .reversed()))
              .limit(5)
              .forEach(
                  c ->
                      sb.append(
                          String.format(
                              Locale.ROOT,
                              " %s (%.2f%%, mean |d| %.2f, max %d)",
                              c.file(),
                              100 * c.agreement(),
                              c.meanAbsoluteDifference(),
                              c.maxDifference())));
          sb.append(System.lineSeparator());
        });
    return sb.toString();
  }
}
