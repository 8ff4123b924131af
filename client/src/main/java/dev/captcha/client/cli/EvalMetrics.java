package dev.captcha.client.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Accuracy of predicted captcha texts against their labels: whole-sequence accuracy exact,
 * case-folded and confusable-folded ({0,O,o} and {1,l,I} merged, plus case folding), per-character
 * accuracy, and the most frequent character confusions; not thread-safe.
 */
final class EvalMetrics {

  /** One confusion: the true character, the predicted one, and how often. */
  record Confusion(String truth, String predicted, int count) {}

  private int items;
  private int exact;
  private int caseFolded;
  private int confusableFolded;
  private long chars;
  private long charsRight;
  private int lengthMismatches;
  private final Map<String, Integer> confusions = new HashMap<>();

  void add(String label, String predicted) {
    items++;
    if (label.equals(predicted)) {
      exact++;
    }
    if (caseFold(label).equals(caseFold(predicted))) {
      caseFolded++;
    }
    if (confusableFold(label).equals(confusableFold(predicted))) {
      confusableFolded++;
    }
    int[] truth = label.codePoints().toArray();
    int[] pred = predicted.codePoints().toArray();
    chars += truth.length;
    int common = Math.min(truth.length, pred.length);
    for (int i = 0; i < common; i++) {
      if (truth[i] == pred[i]) {
        charsRight++;
      } else if (truth.length == pred.length) {
        confusions.merge(Character.toString(truth[i]) + "\u0000" + Character.toString(pred[i]), 1, Integer::sum);
      }
    }
    if (truth.length != pred.length) {
      lengthMismatches++;
    }
  }

  static String caseFold(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  /** Case-folds, then maps o to 0 and l and i to 1 (i joins through case folding of I). */
  static String confusableFold(String s) {
    return caseFold(s).replace('o', '0').replace('l', '1').replace('i', '1');
  }

  int items() {
    return items;
  }

  int exact() {
    return exact;
  }

  int caseFolded() {
    return caseFolded;
  }

  int confusableFolded() {
    return confusableFolded;
  }

  long chars() {
    return chars;
  }

  long charsRight() {
    return charsRight;
  }

  int lengthMismatches() {
    return lengthMismatches;
  }

  static double ratio(long part, long whole) {
    return whole == 0 ? 0.0 : (double) part / whole;
  }

  /** The {@code n} most frequent confusions, most frequent first (ties by characters). */
  List<Confusion> worstConfusions(int n) {
    List<Confusion> list = new ArrayList<>();
    confusions.forEach((k, v) -> {
      int sep = k.indexOf('\u0000');
      list.add(new Confusion(k.substring(0, sep), k.substring(sep + 1), v));
    });
    list.sort(Comparator.comparingInt(Confusion::count).reversed()
        .thenComparing(Confusion::truth).thenComparing(Confusion::predicted));
    return list.subList(0, Math.min(n, list.size()));
  }
}
