package dev.captcha.training.eval;

import dev.captcha.model.ColorMode;
import dev.captcha.model.ConfidenceTally;
import dev.captcha.model.HeadsDecoder;
import dev.captcha.model.InputSpec;
import dev.captcha.model.ModelMetadata;
import dev.captcha.model.Prediction;
import dev.captcha.model.Preprocessor;
import dev.captcha.model.ResizeRule;
import dev.captcha.model.Tally;
import java.io.IOException;
import java.util.function.IntConsumer;

/**
 * Runs a model over labelled samples in batches and tallies its accuracy; samples of a batch are
 * loaded and preprocessed in parallel (the common fork-join pool) while inference runs one batch at
 * a time. Stateless and thread-safe (the model is shared, each call has its own buffers).
 */
public final class Evaluator {

  /**
   * The tally, how well confidence (at the model's temperature) predicted exactness, and where the
   * time went.
   */
  public record Result(
      Tally tally, ConfidenceTally confidence, double seconds, double inferenceSeconds) {
    /** Images per second over the whole run (loading, preprocessing and inference). */
    public double imagesPerSecond() {
      return tally.images() / Math.max(seconds, 1e-9);
    }

    /** Images per second of inference alone. */
    public double inferenceImagesPerSecond() {
      return tally.images() / Math.max(inferenceSeconds, 1e-9);
    }
  }

  private final OnnxModel model;
  private final int batchSize;

  /** The preprocessing: the model file's, with the overrides given. */
  private final InputSpec inputSpec;

  /** Evaluates with the preprocessing the model file prescribes. */
  public Evaluator(OnnxModel model, int batchSize) {
    this(model, batchSize, null, null);
  }

  /**
   * Evaluates with the model file's preprocessing but {@code resize} and {@code color} (each when
   * not null) in place of its resize rule and colour transform, to compare them by measurement.
   */
  public Evaluator(OnnxModel model, int batchSize, ResizeRule resize, ColorMode color) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    this.model = model;
    this.batchSize = batchSize;
    InputSpec spec = model.info().input();
    if (resize != null) {
      spec = spec.withResize(resize);
    }
    // InputSpec refuses a transform of another channel count than the model's.
    this.inputSpec = color == null ? spec : spec.withColor(color);
  }

  /** Receives each sample with the model's full answer (per-position candidates and confidence). */
  @FunctionalInterface
  public interface Listener {
    void accept(Samples.Sample sample, Prediction prediction) throws IOException;
  }

  /** Candidates kept per position for a {@link Listener}. */
  public static final int TOP_CANDIDATES = 3;

  /** Evaluates every sample; {@code progress} receives the number done after each batch. */
  public Result evaluate(Samples samples, IntConsumer progress) throws IOException {
    return evaluate(samples, progress, null);
  }

  /**
   * Evaluates every sample; {@code progress} receives the number done after each batch and {@code
   * listener}, when not null, each sample with its answer, in sample order.
   */
  public Result evaluate(Samples samples, IntConsumer progress, Listener listener)
      throws IOException {
    ModelMetadata info = model.info();
    HeadsDecoder decoder = listener == null ? null : HeadsDecoder.of(info, TOP_CANDIDATES);
    HeadsDecoder confidence = model.decoder();
    Tally tally = new Tally();
    ConfidenceTally reliability = new ConfidenceTally();
    double[] seconds =
        run(
            samples,
            progress,
            listener != null,
            (batch, truths, logits, n) -> {
              String[] predicted = model.decode(logits, n);
              for (int i = 0; i < n; i++) {
                tally.add(truths[i], predicted[i]);
                reliability.add(
                    confidence.confidence(logits, i * confidence.itemSize()),
                    truths[i].equals(predicted[i]));
                if (listener != null) {
                  listener.accept(batch[i], decoder.decode(logits, i * decoder.itemSize()));
                  batch[i] = null;
                }
              }
            });
    return new Result(tally, reliability, seconds[0], seconds[1]);
  }

  /**
   * The raw logits of every sample with its true text, in sample order.
   *
   * @param values {@code [n, length, classes]} flattened
   * @param truths the true text of each sample
   */
  public record Logits(float[] values, String[] truths) {}

  /**
   * Runs every sample and keeps the raw logits (for fitting a confidence temperature); {@code
   * progress} receives the number done after each batch.
   */
  public Logits logits(Samples samples, IntConsumer progress) throws IOException {
    int item = model.decoder().itemSize();
    float[] values = new float[Math.multiplyExact(samples.size(), item)];
    String[] truths = new String[samples.size()];
    int[] done = {0};
    run(
        samples,
        progress,
        false,
        (batch, batchTruths, logits, n) -> {
          System.arraycopy(logits, 0, values, done[0] * item, n * item);
          System.arraycopy(batchTruths, 0, truths, done[0], n);
          done[0] += n;
        });
    return new Logits(values, truths);
  }

  /** Receives each batch's samples (when kept), true texts and logits. */
  @FunctionalInterface
  private interface BatchSink {
    void accept(Samples.Sample[] batch, String[] truths, float[] logits, int n) throws IOException;
  }

  /** Runs the samples batch by batch into {@code sink}; returns total and inference seconds. */
  private double[] run(Samples samples, IntConsumer progress, boolean keepSamples, BatchSink sink)
      throws IOException {
    ModelMetadata info = model.info();
    Samples.Sample[] batch = new Samples.Sample[batchSize];
    Preprocessor pre = new Preprocessor(inputSpec);
    int size = info.input().itemSize();
    float[] input = new float[batchSize * size];
    String[] truths = new String[batchSize];
    long t0 = System.nanoTime();
    long inferenceNanos = 0;
    for (int start = 0; start < samples.size(); start += batchSize) {
      int n = Math.min(batchSize, samples.size() - start);
      samples.toTensors(start, n, pre, input, truths, keepSamples ? batch : null);
      long t1 = System.nanoTime();
      float[] logits = model.run(input, n);
      inferenceNanos += System.nanoTime() - t1;
      sink.accept(batch, truths, logits, n);
      progress.accept(start + n);
    }
    return new double[] {(System.nanoTime() - t0) / 1e9, inferenceNanos / 1e9};
  }
}
