package dev.captcha.server.reload;

import dev.captcha.server.batch.BatchEngine;
import dev.captcha.server.batch.RefCount;
import java.util.List;
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
  // The reference of the model in force plus the batches running on it.
  private final RefCount references;

  Generation(ServedModel<I, O> model, List<BatchEngine<I, O>> instances, String label) {
    this.model = model;
    this.instances = List.copyOf(instances);
    this.label = label;
    this.references = new RefCount("model " + label, this::closeModel);
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
    return references.tryAcquire();
  }

  /** Gives back a reference; the last one closes the model. */
  void release() {
    references.release();
  }

  private void closeModel() {
    try {
      model.close();
      log.info("model {} closed: its last batch has finished", label);
    } catch (RuntimeException e) {
      log.warn("closing model {} failed", label, e);
    }
  }

  /** Gives back the in-force reference: the model closes once its running batches finish. */
  void retire() {
    release();
  }

  /** The current count, for tests. */
  int references() {
    return references.count();
  }
}
