package dev.captcha.server.reload;

import dev.captcha.server.batch.BatchEngine;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The batcher's instance number {@code index}: runs each batch on that instance of the model in
 * force when the batch starts, holding a reference to it until the batch ends. As thread-safe as
 * the batcher requires (one batch at a time per index).
 */
final class SwappableEngine<I, O> implements BatchEngine<I, O> {
  private final AtomicReference<Generation<I, O>> current;
  private final int index;

  SwappableEngine(AtomicReference<Generation<I, O>> current, int index) {
    this.current = current;
    this.index = index;
  }

  @Override
  public List<O> infer(List<I> inputs) throws Exception {
    Generation<I, O> generation = acquire(current);
    try {
      return generation.instance(index).infer(inputs);
    } finally {
      generation.release();
    }
  }

  /** The generation in force, with a reference taken; retried if it closes meanwhile. */
  static <I, O> Generation<I, O> acquire(AtomicReference<Generation<I, O>> current) {
    while (true) {
      Generation<I, O> generation = current.get();
      if (generation == null) {
        throw new IllegalStateException("the model has been closed");
      }
      if (generation.tryAcquire()) {
        return generation;
      }
    }
  }
}
