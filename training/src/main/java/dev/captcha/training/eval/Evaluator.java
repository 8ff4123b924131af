package dev.captcha.training.eval;

import dev.captcha.model.HeadsDecoder;
import dev.captcha.model.ModelMetadata;
import dev.captcha.model.Prediction;
import dev.captcha.model.Preprocessor;
import dev.captcha.model.Tally;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Runs a model over labelled samples in batches and tallies its accuracy; samples of a batch are
 * loaded and preprocessed in parallel (the common fork-join pool) while inference runs one batch at
 * a time. Stateless and thread-safe (the model is shared, each call has its own buffers).
 */
public final class Evaluator {

  /** The tally and where the time went. */
  public record Result(Tally tally, double seconds, double inferenceSeconds) {
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

  public Evaluator(OnnxModel model, int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    this.model = model;
    this.batchSize = batchSize;
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
    HeadsDecoder decoder =
        listener == null ? null : new HeadsDecoder(info.charset(), info.length(), TOP_CANDIDATES);
    Samples.Sample[] batch = new Samples.Sample[batchSize];
    Preprocessor pre = new Preprocessor(info.input());
    int size = info.input().itemSize();
    float[] input = new float[batchSize * size];
    String[] truths = new String[batchSize];
    Tally tally = new Tally();
    long t0 = System.nanoTime();
    long inferenceNanos = 0;
    for (int start = 0; start < samples.size(); start += batchSize) {
      int n = Math.min(batchSize, samples.size() - start);
      int first = start;
      try {
        IntStream.range(0, n)
            .parallel()
            .forEach(
                i -> {
                  try {
                    Samples.Sample s = samples.get(first + i);
                    truths[i] = s.text();
                    if (listener != null) {
                      batch[i] = s;
                    }
                    pre.toTensor(s.image(), input, i * size);
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                });
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      long t1 = System.nanoTime();
      float[] logits = model.run(input, n);
      inferenceNanos += System.nanoTime() - t1;
      String[] predicted = model.decode(logits, n);
      for (int i = 0; i < n; i++) {
        tally.add(truths[i], predicted[i]);
        if (listener != null) {
          listener.accept(batch[i], decoder.decode(logits, i * decoder.itemSize()));
          batch[i] = null;
        }
      }
      progress.accept(start + n);
    }
    return new Result(tally, (System.nanoTime() - t0) / 1e9, inferenceNanos / 1e9);
  }
}
