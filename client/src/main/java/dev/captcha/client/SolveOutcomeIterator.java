package dev.captcha.client;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The outcomes of a streamed batch, as they come (or in input order when asked); {@link #hasNext()}
 * blocks until the next outcome arrives. Taking an outcome frees its place in the in-flight window.
 * Close it to cancel the rest of the batch. Owned by one consuming thread; not thread-safe.
 */
public final class SolveOutcomeIterator implements Iterator<SolveOutcome>, AutoCloseable {
  private static final Object END = new Object();

  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final StreamBatch batch;
  private SolveOutcome next;
  private BatchSummary summary;
  private boolean ended;

  SolveOutcomeIterator(StreamBatch batch) {
    this.batch = batch;
  }

  StreamBatch.Sink sink() {
    return new StreamBatch.Sink() {
      @Override
      public void accept(SolveOutcome outcome) {
        queue.add(outcome);
      }

      @Override
      public void complete(BatchSummary s) {
        queue.add(s);
        queue.add(END);
      }

      @Override
      public void fail(RuntimeException error) {
        queue.add(error);
      }
    };
  }

  @Override
  public boolean hasNext() {
    if (next != null) {
      return true;
    }
    while (!ended) {
      Object item;
      try {
        item = queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        throw new CancelledException("CANCELLED", "interrupted while waiting for the batch", e);
      }
      if (item == END) {
        ended = true;
      } else if (item instanceof BatchSummary s) {
        summary = s;
      } else if (item instanceof RuntimeException e) {
        ended = true;
        throw e;
      } else {
        next = (SolveOutcome) item;
        return true;
      }
    }
    return false;
  }

  @Override
  public SolveOutcome next() {
    if (!hasNext()) {
      throw new NoSuchElementException("the batch has no more outcomes");
    }
    SolveOutcome o = next;
    next = null;
    batch.release(1);
    return o;
  }

  /** The batch's counts, once every outcome has been taken; null before. */
  public BatchSummary summary() {
    return ended ? summary : null;
  }

  /** Cancels what is left of the batch (nothing happens once it has ended). */
  @Override
  public void close() {
    if (!ended) {
      ended = true;
      batch.abort(new CancelledException("CANCELLED", "batch cancelled by the caller", null));
    }
  }
}
