package dev.captcha.server.reload;

import dev.captcha.server.batch.BatchEngine;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model in service with its batcher instances, reference counted: the holder of the model in
 * force owns one reference and every running batch another; the model is closed when the count
 * drops to zero after {@link #retire}. Thread-safe.
 */
final class Generation<I, O> {
  private static final Logger log = LoggerFactory.getLogger(Generation.class);

  private final ServedModel<I, O> model;
  private final List<BatchEngine<I, O>> instances;
  private final String label;
  // The reference of the model in force (1) plus the batches running on it; 0 means closed.
  private final AtomicInteger references = new AtomicInteger(1);

  Generation(ServedModel<I, O> model, List<BatchEngine<I, O>> instances, String label) {
    this.model = model;
    this.instances = List.copyOf(instances);
    this.label = label;
  }

  ServedModel<I, O> model() {
    return model;
  }

  String label() {
    return label;
  }

  BatchEngine<I, O> instance(int index) {
    return instances.get(index);
  }

  /** Takes a reference for one batch; false when this generation is already closed. */
  boolean tryAcquire() {
    while (true) {
      int n = references.get();
      if (n == 0) {
        return false;
      }
      if (references.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /** Gives back a reference; the last one closes the model. */
  void release() {
    int left = references.decrementAndGet();
    if (left == 0) {
      try {
        model.close();
        log.info("model {} closed: its last batch has finished", label);
      } catch (RuntimeException e) {
        log.warn("closing model {} failed", label, e);
      }
    } else if (left < 0) {
      throw new IllegalStateException("model " + label + " released more often than acquired");
    }
  }

  /** Gives back the in-force reference: the model closes once its running batches finish. */
  void retire() {
    release();
  }

  /** The current count, for tests. */
  int references() {
    return references.get();
  }
}
