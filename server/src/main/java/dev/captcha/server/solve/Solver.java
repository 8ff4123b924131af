package dev.captcha.server.solve;

import dev.captcha.model.Prediction;
import dev.captcha.model.Preprocessor;
import dev.captcha.server.batch.BatchResult;
import dev.captcha.server.batch.DeadlineExpiredException;
import dev.captcha.server.batch.MicroBatcher;
import dev.captcha.server.batch.NanoClock;
import dev.captcha.server.batch.OutcomeListener;
import dev.captcha.server.batch.RejectedException;
import dev.captcha.server.image.ImageDecoder;
import dev.captcha.server.image.InvalidImageException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;

/**
 * The transport-independent solving pipeline: decodes and preprocesses an image on the preprocess
 * executor (off the batch threads, so decoding overlaps inference), then submits the tensor to the
 * micro-batcher. It owns admission (a full queue or decode pool refuses at once, before decoding)
 * and the time base of deadlines, and tells its {@link OutcomeListener} of the refusals and
 * expiries it decides; the batcher tells the same listener the rest. Thread-safe.
 */
public final class Solver {
  private final ImageDecoder decoder;
  private final Preprocessor preprocessor;
  private final MicroBatcher<float[], Prediction> batcher;
  private final Executor preprocessExecutor;
  private final NanoClock clock;
  private final OutcomeListener listener;

  /**
   * @param preprocessExecutor runs decoding; a bounded one rejects work when overloaded, which
   *     callers see as a full queue
   */
  public Solver(
      ImageDecoder decoder,
      Preprocessor preprocessor,
      MicroBatcher<float[], Prediction> batcher,
      Executor preprocessExecutor) {
    this(decoder, preprocessor, batcher, preprocessExecutor, OutcomeListener.NONE);
  }

  /**
   * As above, telling {@code listener} of the requests it refuses or finds expired before they
   * reach the batcher; give the batcher the same listener.
   */
  public Solver(
      ImageDecoder decoder,
      Preprocessor preprocessor,
      MicroBatcher<float[], Prediction> batcher,
      Executor preprocessExecutor,
      OutcomeListener listener) {
    this.decoder = Objects.requireNonNull(decoder, "decoder");
    this.preprocessor = Objects.requireNonNull(preprocessor, "preprocessor");
    this.batcher = Objects.requireNonNull(batcher, "batcher");
    this.preprocessExecutor = Objects.requireNonNull(preprocessExecutor, "preprocessExecutor");
    this.clock = batcher.clock();
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /** The batcher requests go to, for the registry that drains it when its model is retired. */
  MicroBatcher<float[], Prediction> batcher() {
    return batcher;
  }

  /** The current time in the batcher's clock, the time base of deadlines. */
  public long nanoTime() {
    return clock.nanoTime();
  }

  /**
   * Solves one image.
   *
   * @param deadlineNanos absolute deadline in the batcher's clock
   * @return completes with the solution, or exceptionally with an {@link InvalidImageException}, a
   *     {@link RejectedException}, a {@link DeadlineExpiredException} or an inference failure;
   *     cancelling it withdraws the request
   */
  public CompletableFuture<Solution> solve(byte[] image, long deadlineNanos) {
    CompletableFuture<Solution> result = new CompletableFuture<>();
    // Under overload most requests would be refused at the queue: refuse them before decoding,
    // so that the refusal is immediate and the cores stay with the requests that are accepted.
    RejectedException full = batcher.refusalIfFull();
    if (full != null) {
      listener.rejected(full.reason());
      result.completeExceptionally(full);
      return result;
    }
    long submitted = clock.nanoTime();
    try {
      preprocessExecutor.execute(() -> prepareAndSubmit(image, submitted, deadlineNanos, result));
    } catch (RejectedExecutionException e) {
      listener.rejected(RejectedException.Reason.QUEUE_FULL);
      result.completeExceptionally(
          new RejectedException(
              RejectedException.Reason.QUEUE_FULL,
              "too many images waiting to be decoded; retry shortly",
              batcher.settings().maxQueueDelay().toNanos() + 1_000_000L));
    }
    return result;
  }

  /**
   * Whether no other image waits for a decoding thread, so that this thread may run the batch
   * itself without holding anyone up.
   */
  private boolean nothingWaitingToDecode() {
    return !(preprocessExecutor instanceof ThreadPoolExecutor pool) || pool.getQueue().isEmpty();
  }

  private void prepareAndSubmit(
      byte[] image, long submitted, long deadlineNanos, CompletableFuture<Solution> out) {
    if (out.isDone()) {
      return;
    }
    long start = clock.nanoTime();
    // Time spent waiting for a decoding thread counts as queueing, like the batcher's queue.
    long waitedNanos = Math.max(start - submitted, 0);
    if (deadlineNanos - start <= 0) {
      listener.expired();
      out.completeExceptionally(
          new DeadlineExpiredException("deadline passed before the image was decoded"));
      return;
    }
    float[] tensor;
    try {
      tensor = preprocessor.toTensor(decoder.decode(image));
    } catch (InvalidImageException e) {
      out.completeExceptionally(e);
      return;
    } catch (RuntimeException | OutOfMemoryError e) {
      out.completeExceptionally(
          new InvalidImageException(
              InvalidImageException.Reason.UNDECODABLE, "image could not be prepared: " + e, e));
      return;
    }
    long preprocessNanos = clock.nanoTime() - start;
    CompletableFuture<BatchResult<Prediction>> queued =
        batcher.add(tensor, deadlineNanos, nothingWaitingToDecode());
    out.whenComplete(
        (r, t) -> {
          if (out.isCancelled()) {
            queued.cancel(false);
          }
        });
    queued.whenComplete(
        (r, t) -> {
          if (t != null) {
            out.completeExceptionally(
                t instanceof CompletionException && t.getCause() != null ? t.getCause() : t);
          } else {
            out.complete(
                new Solution(
                    r.output(),
                    preprocessNanos,
                    waitedNanos + r.queueNanos(),
                    r.inferenceNanos(),
                    r.batchSize()));
          }
        });
  }
}
