package dev.captcha.training.train;

import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.FontCatalog;
import dev.captcha.training.data.BatchSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The per-font-group validation set: for each style group of the training fonts, the same {@code
 * perGroup} captchas of the validation stream (texts, colours, angles and noise alike) drawn with
 * that group's fonts only, so that the groups differ in their fonts alone; immutable.
 */
final class GroupValidation {

  private final List<String> groups;
  private final int perGroup;
  private final BatchSource.Batch batch;

  private GroupValidation(List<String> groups, int perGroup, BatchSource.Batch batch) {
    this.groups = List.copyOf(groups);
    this.perGroup = perGroup;
    this.batch = batch;
  }

  /**
   * The set for {@code faces}, or null when they span fewer than two style groups or {@code
   * perGroup} is 0.
   */
  static GroupValidation of(
      List<FontCatalog.WeightedFont> faces,
      int perGroup,
      long seed,
      int pixels,
      dev.captcha.model.ColorMode color) {
    Map<String, List<FontCatalog.WeightedFont>> byGroup = new TreeMap<>();
    for (FontCatalog.WeightedFont f : faces) {
      byGroup.computeIfAbsent(f.group(), g -> new ArrayList<>()).add(f);
    }
    if (perGroup == 0 || byGroup.size() < 2) {
      return null;
    }
    List<BatchSource.Batch> parts = new ArrayList<>();
    for (List<FontCatalog.WeightedFont> groupFaces : byGroup.values()) {
      CaptchaGenerator generator = CaptchaGenerator.builder().weightedFonts(groupFaces).build();
      parts.add(BatchSource.make(generator, null, color, perGroup, pixels, seed, 0));
    }
    return new GroupValidation(List.copyOf(byGroup.keySet()), perGroup, concat(parts, pixels));
  }

  private static BatchSource.Batch concat(List<BatchSource.Batch> parts, int pixels) {
    int n = parts.stream().mapToInt(BatchSource.Batch::size).sum();
    int length = parts.get(0).labels().length / parts.get(0).size();
    float[] x = new float[Math.multiplyExact(n, pixels)];
    int[] y = new int[n * length];
    int at = 0;
    for (BatchSource.Batch b : parts) {
      System.arraycopy(b.inputs(), 0, x, at * pixels, b.size() * pixels);
      System.arraycopy(b.labels(), 0, y, at * length, b.size() * length);
      at += b.size();
    }
    return new BatchSource.Batch(n, x, y);
  }

  /** The style groups, in name order. */
  List<String> groups() {
    return groups;
  }

  int perGroup() {
    return perGroup;
  }

  /** All groups' captchas, group after group in {@link #groups()} order. */
  BatchSource.Batch batch() {
    return batch;
  }

  /**
   * Exact accuracy per group, in name order, from whether each captcha of {@link #batch()} was read
   * exactly.
   */
  Map<String, Double> accuracy(boolean[] exact) {
    if (exact.length != batch.size()) {
      throw new IllegalArgumentException(
          "one result per captcha expected: " + batch.size() + ", got " + exact.length);
    }
    Map<String, Double> out = new LinkedHashMap<>();
    for (int g = 0; g < groups.size(); g++) {
      int hits = 0;
      for (int i = g * perGroup; i < (g + 1) * perGroup; i++) {
        hits += exact[i] ? 1 : 0;
      }
      out.put(groups.get(g), (double) hits / perGroup);
    }
    return out;
  }
}
