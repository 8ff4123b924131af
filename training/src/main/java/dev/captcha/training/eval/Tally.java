package dev.captcha.training.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Accumulates predictions against true texts: exact, case-folded and look-alike-merged sequence
 * accuracy, per-character accuracy and character confusions; mutable, used from one thread.
 *
 * <p>Case folding maps every letter to lower case. Merging folds case and then maps {@code o} to
 * {@code 0} and {@code l}, {@code i} to {@code 1}, so {0, O, o} are one class and {1, l, I} are one
 * class (with {@code i} and {@code L} joining the latter through case folding).
 */
public final class Tally {

  /** One kind of mistake: the true character, the predicted one and how often it happened. */
  public record Confusion(char truth, char predicted, long count) {
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
  private final Map<Integer, Long> confusions = new HashMap<>();

  /** Records one captcha. */
  public void add(String truth, String predicted) {
    images++;
    if (truth.equals(predicted)) {
      exact++;
    }
    if (fold(truth).equals(fold(predicted))) {
      folded++;
    }
    if (merge(truth).equals(merge(predicted))) {
      merged++;
    }
    characters += truth.length();
    for (int i = 0; i < truth.length(); i++) {
      char t = truth.charAt(i);
      char p = i < predicted.length() ? predicted.charAt(i) : '\0';
      if (t == p) {
        characterHits++;
      } else if (p != '\0') {
        confusions.merge((t << 16) | p, 1L, Long::sum);
      }
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
    other.confusions.forEach((k, v) -> confusions.merge(k, v, Long::sum));
  }

  public long images() {
    return images;
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
    confusions.forEach((k, v) -> all.add(new Confusion((char) (k >>> 16), (char) (k & 0xFFFF), v)));
    all.sort(Comparator.comparingLong(Confusion::count).reversed()
        .thenComparing(Confusion::truth).thenComparing(Confusion::predicted));
    return List.copyOf(all.subList(0, Math.min(limit, all.size())));
  }

  /** {@code text} in lower case. */
  public static String fold(String text) {
    return text.toLowerCase(Locale.ROOT);
  }

  /** {@code text} case-folded with the look-alikes {0,O,o} and {1,l,I} merged. */
  public static String merge(String text) {
    char[] c = fold(text).toCharArray();
    for (int i = 0; i < c.length; i++) {
      c[i] = switch (c[i]) {
        case 'o' -> '0';
        case 'l', 'i' -> '1';
        default -> c[i];
      };
    }
    return new String(c);
  }

  private static double ratio(long a, long b) {
    return b == 0 ? 0 : (double) a / b;
  }
}
