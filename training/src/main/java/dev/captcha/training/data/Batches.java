package dev.captcha.training.data;

/**
 * A stream of training batches owned by one training loop; {@link #next()} is called from one
 * thread.
 */
public interface Batches extends AutoCloseable {

  /** The next batch, waiting for it if its producer is behind. */
  BatchSource.Batch next() throws InterruptedException;

  @Override
  void close();
}
