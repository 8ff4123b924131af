package dev.captcha.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Accumulates predictions against true texts: exact, case-folded and look-alike-merged sequence
 * accuracy, per-character accuracy and character confusions; the one definition of the accuracy
 * folds for training, the client and the load test. Mutable, used from one thread; the static fold
 * functions are thread-safe.
 *
 * <p>Case folding maps every letter to lower case. Merging folds case and then maps {@code o} to
 * {@code 0} and {@code l}, {@code i} to {@code 1}, so {0, O, o} are one class and {1, l, I} are one
 * class (with {@code i} and {@code L} joining the latter through case folding). Characters are
 * compared by code point at their position; a confusion is counted only where the prediction has
 * the true text's length.
 */
public final class Tally {

  /** One kind of mistake: the true character, the predicted one and how often it happened. */
  public record Confusion(String truth, String predicted, long count) {
    @Override
    public String toString() {
      return truth + "->" + predicted + " " + count;
    }
  }

  private long images;
  private long exact;
  private long folded;
  private long merged;
  private long characters;
  private long characterHits;
  private long lengthMismatches;
  private final Map<String, Long> confusions = new HashMap<>();

  /** Records one captcha. */
  public void add(String truth, String predicted) {
    images++;
    if (truth.equals(predicted)) {
      exact++;
    }
    if (foldedMatch(truth, predicted)) {
      folded++;
    }
    if (mergedMatch(truth, predicted)) {
      merged++;
    }
    int[] t = truth.codePoints().toArray();
    int[] p = predicted.codePoints().toArray();
    characters += t.length;
    int common = Math.min(t.length, p.length);
    for (int i = 0; i < common; i++) {
      if (t[i] == p[i]) {
        characterHits++;
      } else if (t.length == p.length) {
        confusions.merge(Character.toString(t[i]) + '\0' + Character.toString(p[i]), 1L, Long::sum);
      }
    }
    if (t.length != p.length) {
      lengthMismatches++;
    }
  }

  /** Adds every record of {@code other} to this tally. */
  public void addAll(Tally other) {
    images += other.images;
    exact += other.exact;
    folded += other.folded;
    merged += other.merged;
    characters += other.characters;
    characterHits += other.characterHits;
    lengthMismatches += other.lengthMismatches;
    other.confusions.forEach((k, v) -> confusions.merge(k, v, Long::sum));
  }

  /** Captchas recorded. */
  public long images() {
    return images;
  }

  /** Captchas read exactly. */
  public long exact() {
    return exact;
  }

  /** Captchas read correctly when case is ignored. */
  public long caseFolded() {
    return folded;
  }

  /** Captchas read correctly when case is ignored and look-alikes are merged. */
  public long merged() {
    return merged;
  }

  /** True characters recorded. */
  public long characters() {
    return characters;
  }

  /** True characters predicted exactly at their position. */
  public long characterHits() {
    return characterHits;
  }

  /** Predictions whose length differs from the true text's. */
  public long lengthMismatches() {
    return lengthMismatches;
  }

  /** Fraction of captchas read exactly. */
  public double exactAccuracy() {
    return ratio(exact, images);
  }

  /** Fraction read correctly when case is ignored. */
  public double caseFoldedAccuracy() {
    return ratio(folded, images);
  }

  /** Fraction read correctly when case is ignored and {0,O,o}, {1,l,I} are merged. */
  public double mergedAccuracy() {
    return ratio(merged, images);
  }

  /** Fraction of true characters predicted exactly at their position. */
  public double characterAccuracy() {
    return ratio(characterHits, characters);
  }

  /** The {@code limit} most frequent confusions, most frequent first (ties by character). */
  public List<Confusion> topConfusions(int limit) {
    List<Confusion> all = new ArrayList<>();
    confusions.forEach(
        (k, v) -> {
          int sep = k.indexOf('\0');
          all.add(new Confusion(k.substring(0, sep), k.substring(sep + 1), v));
        });
    all.sort(
        Comparator.comparingLong(Confusion::count)
            .reversed()
            .thenComparing(Confusion::truth)
            .thenComparing(Confusion::predicted));
    return List.copyOf(all.subList(0, Math.min(limit, all.size())));
  }

  /** {@code text} in lower case. */
  public static String fold(String text) {
    return text.toLowerCase(Locale.ROOT);
  }

  /** {@code text} case-folded with the look-alikes {0,O,o} and {1,l,I} merged. */
  public static String merge(String text) {
    return fold(text).replace('o', '0').replace('l', '1').replace('i', '1');
  }

  /** Whether {@code predicted} equals {@code truth} ignoring case. */
  public static boolean foldedMatch(String truth, String predicted) {
    return fold(truth).equals(fold(predicted));
  }

  /** Whether {@code predicted} equals {@code truth} ignoring case and look-alike characters. */
  public static boolean mergedMatch(String truth, String predicted) {
    return merge(truth).equals(merge(predicted));
  }

  /** {@code part / whole}, or 0 when {@code whole} is 0. */
  public static double ratio(long part, long whole) {
    return whole == 0 ? 0 : (double) part / whole;
  }
}
