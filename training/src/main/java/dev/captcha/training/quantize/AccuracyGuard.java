package dev.captcha.training.quantize;

import dev.captcha.model.Preprocessor;
import dev.captcha.model.Tally;
import dev.captcha.training.eval.OnnxModel;
import dev.captcha.training.eval.Samples;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Compares a float model and its int8 version on the same labelled captchas, set by set (each batch
 * is preprocessed once and run through both), and says whether the int8 model keeps the exact
 * accuracy within a limit; stateless and thread-safe.
 */
public final class AccuracyGuard {

  /** A named set of labelled captchas. */
  public record Set(String name, Samples samples) {}

  /** Exact accuracy of both models on one set. */
  public record Row(String name, long images, double floatExact, double int8Exact) {
    /** Exact-accuracy points (percent) the int8 model loses; negative when it gains. */
    public double dropPoints() {
      return (floatExact - int8Exact) * 100;
    }
  }

  /** Every set's row and the limit they were held to. */
  public record Outcome(List<Row> rows, double maxDropPoints) {
    public Outcome {
      rows = List.copyOf(rows);
    }

    /** Whether no set lost more than the limit. */
    public boolean passed() {
      return rows.stream().allMatch(r -> r.dropPoints() <= maxDropPoints + 1e-9);
    }

    /** The figures as a table, one set a line. */
    public String table() {
      StringBuilder b =
          new StringBuilder(
              String.format(
                  Locale.ROOT,
                  "%-52s %7s %9s %9s %8s%n",
                  "exact accuracy",
                  "images",
                  "float",
                  "int8",
                  "drop"));
      for (Row r : rows) {
        b.append(
            String.format(
                Locale.ROOT,
                "%-52s %7d %8.2f%% %8.2f%% %8.2f%s%n",
                r.name(),
                r.images(),
                r.floatExact() * 100,
                r.int8Exact() * 100,
                r.dropPoints(),
                r.dropPoints() > maxDropPoints + 1e-9 ? "  > limit" : ""));
      }
      return b.toString();
    }

    /** The figures on one line, as recorded in the int8 model's metadata. */
    public String summary() {
      return String.join(
          "; ",
          rows.stream()
              .map(
                  r ->
                      String.format(
                          Locale.ROOT,
                          "%s: float %.4f, int8 %.4f",
                          r.name(),
                          r.floatExact(),
                          r.int8Exact()))
              .toList());
    }
  }

  private AccuracyGuard() {}

  /** Runs both models over every set in batches of {@code batchSize}. */
  public static Outcome compare(
      OnnxModel floatModel,
      OnnxModel int8Model,
      List<Set> sets,
      int batchSize,
      double maxDropPoints)
      throws IOException {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1");
    }
    if (floatModel.info().input().itemSize() != int8Model.info().input().itemSize()
        || !floatModel.info().charset().equals(int8Model.info().charset())
        || floatModel.info().length() != int8Model.info().length()) {
      throw new IllegalArgumentException("the two models differ in input or output");
    }
    Preprocessor pre = new Preprocessor(floatModel.info().input());
    int size = floatModel.info().input().itemSize();
    float[] input = new float[batchSize * size];
    String[] truths = new String[batchSize];
    List<Row> rows = new ArrayList<>();
    for (Set set : sets) {
      Tally f = new Tally();
      Tally q = new Tally();
      Samples samples = set.samples();
      for (int start = 0; start < samples.size(); start += batchSize) {
        int n = Math.min(batchSize, samples.size() - start);
        samples.toTensors(start, n, pre, input, truths, null);
        String[] a = floatModel.decode(floatModel.run(input, n), n);
        String[] b = int8Model.decode(int8Model.run(input, n), n);
        for (int i = 0; i < n; i++) {
          f.add(truths[i], a[i]);
          q.add(truths[i], b[i]);
        }
      }
      rows.add(new Row(set.name(), f.images(), f.exactAccuracy(), q.exactAccuracy()));
    }
    return new Outcome(rows, maxDropPoints);
  }
}
