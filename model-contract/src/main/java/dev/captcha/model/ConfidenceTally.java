package dev.captcha.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Accumulates each captcha's confidence with whether it was read exactly and answers how well
 * confidence predicts exactness: per threshold, the share of captchas at or above it with their
 * exact accuracy and the accuracy of the rest, and the expected calibration error; the one
 * definition for training's evaluation and the client. Mutable, used from one thread.
 */
public final class ConfidenceTally {

  /** The thresholds of the default table. */
  public static final List<Double> THRESHOLDS = List.of(0.5, 0.8, 0.9, 0.95, 0.99);

  /** Equal-width confidence bins of {@link #expectedCalibrationError()}. */
  public static final int ECE_BINS = 10;

  /**
   * One line of the table.
   *
   * @param threshold the confidence a captcha needs to count as accepted
   * @param accepted captchas with confidence at or above the threshold
   * @param acceptedExact of those, how many were read exactly
   * @param rest captchas below the threshold
   * @param restExact of those, how many were read exactly
   */
  public record Row(
      double threshold, long accepted, long acceptedExact, long rest, long restExact) {
    /** Fraction of all captchas at or above the threshold. */
    public double share() {
      return Tally.ratio(accepted, accepted + rest);
    }

    /** Exact accuracy among the captchas at or above the threshold (0 when there are none). */
    public double accuracy() {
      return Tally.ratio(acceptedExact, accepted);
    }

    /** Exact accuracy among the captchas below the threshold (0 when there are none). */
    public double restAccuracy() {
      return Tally.ratio(restExact, rest);
    }
  }

  private double[] confidences = new double[64];
  private boolean[] exact = new boolean[64];
  private int size;

  /**
   * Records one captcha.
   *
   * @param confidence the answer's confidence, in [0, 1] (rounding up to 1e-6 above 1 counts as 1)
   * @param exactMatch whether the answer was the true text
   * @throws IllegalArgumentException if the confidence is not in [0, 1]
   */
  public void add(double confidence, boolean exactMatch) {
    if (!(confidence >= 0 && confidence <= 1 + 1e-6)) {
      throw new IllegalArgumentException("confidence must be in [0, 1], got " + confidence);
    }
    confidence = Math.min(confidence, 1);
    if (size == confidences.length) {
      confidences = Arrays.copyOf(confidences, size * 2);
      exact = Arrays.copyOf(exact, size * 2);
    }
    confidences[size] = confidence;
    exact[size] = exactMatch;
    size++;
  }

  /** Adds every record of {@code other} to this tally. */
  public void addAll(ConfidenceTally other) {
    for (int i = 0; i < other.size; i++) {
      add(other.confidences[i], other.exact[i]);
    }
  }

  /** Captchas recorded. */
  public long images() {
    return size;
  }

  /** Captchas read exactly. */
  public long exact() {
    long n = 0;
    for (int i = 0; i < size; i++) {
      if (exact[i]) {
        n++;
      }
    }
    return n;
  }

  /** Mean confidence (0 when empty); for a calibrated model, close to the exact accuracy. */
  public double meanConfidence() {
    double sum = 0;
    for (int i = 0; i < size; i++) {
      sum += confidences[i];
    }
    return size == 0 ? 0 : sum / size;
  }

  /** The table at {@link #THRESHOLDS}. */
  public List<Row> rows() {
    return rows(THRESHOLDS);
  }

  /** The table at {@code thresholds}, in the order given. */
  public List<Row> rows(List<Double> thresholds) {
    List<Row> out = new ArrayList<>(thresholds.size());
    for (double t : thresholds) {
      long accepted = 0;
      long acceptedExact = 0;
      long restExact = 0;
      for (int i = 0; i < size; i++) {
        if (confidences[i] >= t) {
          accepted++;
          if (exact[i]) {
            acceptedExact++;
          }
        } else if (exact[i]) {
          restExact++;
        }
      }
      out.add(new Row(t, accepted, acceptedExact, size - accepted, restExact));
    }
    return List.copyOf(out);
  }

  /**
   * Expected calibration error over {@link #ECE_BINS} equal-width confidence bins: the mean over
   * captchas of |exact accuracy - mean confidence| of the captcha's bin (0 when empty). Bin i holds
   * confidences in [i/B, (i+1)/B), the last one also 1.
   */
  public double expectedCalibrationError() {
    long[] count = new long[ECE_BINS];
    long[] hits = new long[ECE_BINS];
    double[] sum = new double[ECE_BINS];
    for (int i = 0; i < size; i++) {
      int b = Math.min(ECE_BINS - 1, (int) (confidences[i] * ECE_BINS));
      count[b]++;
      sum[b] += confidences[i];
      if (exact[i]) {
        hits[b]++;
      }
    }
    double ece = 0;
    for (int b = 0; b < ECE_BINS; b++) {
      if (count[b] > 0) {
        ece += Math.abs((double) hits[b] / count[b] - sum[b] / count[b]) * count[b];
      }
    }
    return size == 0 ? 0 : ece / size;
  }

  /**
   * The table at {@link #THRESHOLDS} as text, one header line and one line per threshold, each line
   * starting with {@code indent}, then a line with the mean confidence and the calibration error.
   */
  public String format(String indent) {
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            Locale.ROOT,
            "%s%-10s %9s %8s %9s   %9s %9s%n",
            indent,
            "confidence",
            "captchas",
            "share",
            "exact",
            "rest",
            "rest exact"));
    for (Row r : rows()) {
      s.append(
          String.format(
              Locale.ROOT,
              "%s>= %-7s %9d %7.2f%% %8.2f%%   %9d %8.2f%%%n",
              indent,
              trim(r.threshold()),
              r.accepted(),
              100 * r.share(),
              100 * r.accuracy(),
              r.rest(),
              100 * r.restAccuracy()));
    }
    s.append(
        String.format(
            Locale.ROOT,
            "%smean confidence %.4f, exact %.4f, expected calibration error %.4f (%d bins)%n",
            indent,
            meanConfidence(),
            Tally.ratio(exact(), images()),
            expectedCalibrationError(),
            ECE_BINS));
    return s.toString();
  }

  private static String trim(double threshold) {
    String s = Double.toString(threshold);
    return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
  }
}
