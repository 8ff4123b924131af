package dev.captcha.server.solve;

import dev.captcha.model.Prediction;
import dev.captcha.server.batch.MicroBatcher;
import dev.captcha.server.batch.RefCount;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One named model in a {@link SolverRegistry}: its solver and batcher, its description, and the
 * resources behind them (model, worker threads). Reference counted: the registry holds one
 * reference while the slot is in service and every request in flight holds another; once the slot
 * is retired and the last request has been answered, its batcher is closed and its resources
 * released, off the request's thread. Thread-safe.
 */
public final class ModelSlot {
  private static final Logger log = LoggerFactory.getLogger(ModelSlot.class);

  private final String name;
  private final Solver solver;
  private final Supplier<ModelSummary> summary;
  private final AutoCloseable resources;
  // The registry's reference plus the requests in flight.
  private final RefCount references;
  private final AtomicBoolean retired = new AtomicBoolean();
  private final AtomicBoolean finished = new AtomicBoolean();
  private volatile Executor finisher = Runnable::run;
  private volatile Duration drainTimeout = Duration.ofSeconds(30);

  /**
   * A slot for a model in service; the slot then owns {@code resources}.
   *
   * @param summary describes the model in force, read at each description
   * @param resources closed once the slot is retired and its batcher drained, for example the model
   *     and the batcher's worker threads
   */
  public ModelSlot(
      String name, Solver solver, Supplier<ModelSummary> summary, AutoCloseable resources) {
    this.name = requireName(name);
    this.solver = Objects.requireNonNull(solver, "solver");
    this.summary = Objects.requireNonNull(summary, "summary");
    this.resources = Objects.requireNonNull(resources, "resources");
    this.references = new RefCount("model slot " + name, this::finishOffThread);
  }

  static String requireName(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("a model name must not be blank");
    }
    return name;
  }

  /** The name requests use to choose this model. */
  public String name() {
    return name;
  }

  /** Describes the model in force. */
  public ModelSummary summary() {
    return summary.get();
  }

  Solver solver() {
    return solver;
  }

  MicroBatcher<float[], Prediction> batcher() {
    return solver.batcher();
  }

  /** Where and how the registry finishes this slot; set before it is published. */
  void finishWith(Executor executor, Duration timeout) {
    this.finisher = Objects.requireNonNull(executor, "executor");
    this.drainTimeout = Objects.requireNonNull(timeout, "timeout");
  }

  /** Takes a reference for one request; false when the slot has already finished. */
  boolean tryAcquire() {
    return references.tryAcquire();
  }

  /** Gives back a reference; the last one finishes the slot. */
  void release() {
    references.release();
  }

  private void finishOffThread() {
    try {
      finisher.execute(this::finish);
    } catch (RejectedExecutionException e) {
      finish();
    }
  }

  /** Gives back the registry's reference, once: the slot finishes when its last request ends. */
  void retire() {
    if (retired.compareAndSet(false, true)) {
      release();
    }
  }

  /** Whether the slot's batcher is closed and its resources released. */
  public boolean isFinished() {
    return finished.get() && references.count() == 0;
  }

  /** The current reference count, for tests. */
  int references() {
    return references.count();
  }

  private void finish() {
    try {
      if (!batcher().close(drainTimeout)) {
        log.warn("model {}: its batcher did not drain within {} ms", name, drainTimeout.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.warn("model {}: closing its batcher failed", name, e);
    }
    try {
      resources.close();
    } catch (Exception e) {
      log.warn("model {}: releasing its resources failed", name, e);
    }
    finished.set(true);
    log.info("model {} retired: its last request has been answered", name);
  }
}
