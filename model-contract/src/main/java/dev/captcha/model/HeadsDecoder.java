package dev.captcha.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Decodes per-position logits {@code [L, K]} (the {@code heads} decoder) into a {@link Prediction}
 * with softmax probabilities at the model's confidence temperature ({@code softmax(logits / T)})
 * and the top-k candidates per position; immutable and thread-safe.
 */
public final class HeadsDecoder {
  private final int[] charset;
  private final String[] characters;
  private final int length;
  private final int topK;
  private final double temperature;

  /**
   * A decoder at temperature 1 (the logits' own softmax).
   *
   * @param charset the classes in class-index order, one code point each
   * @param length positions per captcha
   * @param topK candidates kept per position
   */
  public HeadsDecoder(String charset, int length, int topK) {
    this(charset, length, topK, 1);
  }

  /**
   * The decoder a model file describes: its charset, length and confidence temperature.
   *
   * @param topK candidates kept per position
   */
  public static HeadsDecoder of(ModelMetadata metadata, int topK) {
    return new HeadsDecoder(
        metadata.charset(), metadata.length(), topK, metadata.confidenceTemperature());
  }

  /**
   * @param charset the classes in class-index order, one code point each
   * @param length positions per captcha
   * @param topK candidates kept per position
   * @param temperature the logits are divided by it before the softmax; positive and finite (it
   *     changes probabilities and confidence, never the text)
   */
  public HeadsDecoder(String charset, int length, int topK, double temperature) {
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException(
          "temperature must be positive and finite, got " + temperature);
    }
    this.temperature = temperature;
    this.charset = charset.codePoints().toArray();
    this.characters = new String[this.charset.length];
    for (int i = 0; i < this.charset.length; i++) {
      characters[i] = new String(Character.toChars(this.charset[i]));
    }
    if (length < 1) {
      throw new IllegalArgumentException("length must be >= 1");
    }
    this.length = length;
    this.topK = Math.max(1, Math.min(topK, this.charset.length));
  }

  /** Number of classes per position. */
  public int classes() {
    return charset.length;
  }

  /** The temperature the logits are divided by before the softmax. */
  public double temperature() {
    return temperature;
  }

  /** Number of floats per item: length times classes. */
  public int itemSize() {
    return length * charset.length;
  }

  /**
   * Decodes one item.
   *
   * @param logits the whole batch output
   * @param offset where this item's {@code L * K} logits start
   */
  public Prediction decode(float[] logits, int offset) {
    int k = charset.length;
    StringBuilder text = new StringBuilder(length);
    double confidence = 1;
    List<List<Candidate>> positions = new ArrayList<>(length);
    double[] probs = new double[k];
    for (int pos = 0; pos < length; pos++) {
      int base = offset + pos * k;
      float max = Float.NEGATIVE_INFINITY;
      for (int c = 0; c < k; c++) {
        max = Math.max(max, logits[base + c]);
      }
      double sum = 0;
      for (int c = 0; c < k; c++) {
        probs[c] = Math.exp((logits[base + c] - max) / temperature);
        sum += probs[c];
      }
      int[] best = new int[topK];
      java.util.Arrays.fill(best, -1);
      for (int c = 0; c < k; c++) {
        probs[c] /= sum;
        insertTop(best, probs, c);
      }
      List<Candidate> candidates = new ArrayList<>(topK);
      for (int b : best) {
        candidates.add(new Candidate(characters[b], (float) probs[b]));
      }
      text.appendCodePoint(charset[best[0]]);
      confidence *= probs[best[0]];
      positions.add(List.copyOf(candidates));
    }
    return new Prediction(text.toString(), (float) confidence, positions);
  }

  /**
   * The confidence of one item alone: the product over positions of the largest probability, the
   * same value {@link #decode} gives without building candidates.
   *
   * @param logits the whole batch output
   * @param offset where this item's {@code L * K} logits start
   */
  public double confidence(float[] logits, int offset) {
    int k = charset.length;
    double confidence = 1;
    for (int pos = 0; pos < length; pos++) {
      int base = offset + pos * k;
      float max = Float.NEGATIVE_INFINITY;
      for (int c = 0; c < k; c++) {
        max = Math.max(max, logits[base + c]);
      }
      double sum = 0;
      for (int c = 0; c < k; c++) {
        sum += Math.exp((logits[base + c] - max) / temperature);
      }
      confidence /= sum;
    }
    return confidence;
  }

  /**
   * The text of one item alone: per position, the class with the largest logit (the first on a
   * tie), the same text {@link #decode} gives without computing probabilities.
   *
   * @param logits the whole batch output
   * @param offset where this item's {@code L * K} logits start
   */
  public String text(float[] logits, int offset) {
    int k = charset.length;
    StringBuilder text = new StringBuilder(length);
    for (int pos = 0; pos < length; pos++) {
      int base = offset + pos * k;
      int best = 0;
      for (int c = 1; c < k; c++) {
        if (logits[base + c] > logits[base + best]) {
          best = c;
        }
      }
      text.appendCodePoint(charset[best]);
    }
    return text.toString();
  }

  private static void insertTop(int[] best, double[] probs, int c) {
    int i = best.length - 1;
    if (best[i] != -1 && probs[best[i]] >= probs[c]) {
      return;
    }
    while (i > 0 && (best[i - 1] == -1 || probs[best[i - 1]] < probs[c])) {
      best[i] = best[i - 1];
      i--;
    }
    best[i] = c;
  }
}
