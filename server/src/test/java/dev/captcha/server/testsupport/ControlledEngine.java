package dev.captcha.server.testsupport;

import dev.captcha.server.batch.BatchEngine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps an engine so a test can hold batches at the door, make the next batches fail, and count the
 * batches and items that reached inference. Thread-safe.
 */
public final class ControlledEngine<I, O> implements BatchEngine<I, O> {
  private final BatchEngine<I, O> delegate;
  private final long patienceNanos;
  private volatile CountDownLatch gate = new CountDownLatch(0);
  private final Semaphore entered = new Semaphore(0);
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicInteger items = new AtomicInteger();
  private final AtomicInteger batches = new AtomicInteger();

  /** An engine that waits up to 10 s for a held batch to be released. */
  public ControlledEngine(BatchEngine<I, O> delegate) {
    this(delegate, Duration.ofSeconds(10));
  }

  /**
   * An engine that waits up to {@code patience} for a held batch to be released, and as long in
   * {@link #awaitBatchesAbove}; generous values keep slow, shared machines from failing tests.
   */
  public ControlledEngine(BatchEngine<I, O> delegate, Duration patience) {
    this.delegate = delegate;
    this.patienceNanos = patience.toNanos();
  }

  /** Holds every batch from now until {@link #release}. */
  public void hold() {
    gate = new CountDownLatch(1);
  }

  public void release() {
    gate.countDown();
  }

  /** Makes the next {@code n} batches throw. */
  public void failNext(int n) {
    failures.set(n);
  }

  /** Waits until a batch has entered the engine. */
  public void awaitEntered() throws InterruptedException {
    if (!entered.tryAcquire(10, TimeUnit.SECONDS)) {
      throw new AssertionError("no batch reached the engine");
    }
  }

  /** Waits until more than {@code seen} batches have reached the engine. */
  public void awaitBatchesAbove(int seen) throws InterruptedException {
    long giveUp = System.nanoTime() + patienceNanos;
    while (batches.get() <= seen) {
      if (System.nanoTime() > giveUp) {
        throw new AssertionError("no batch reached the engine");
      }
      Thread.sleep(2);
    }
  }

  /** Items that reached inference so far. */
  public int items() {
    return items.get();
  }

  /** Batches that reached inference so far. */
  public int batches() {
    return batches.get();
  }

  @Override
  public List<O> infer(List<I> inputs) throws Exception {
    items.addAndGet(inputs.size());
    batches.incrementAndGet();
    entered.release();
    if (!gate.await(patienceNanos, TimeUnit.NANOSECONDS)) {
      throw new IllegalStateException("test never released the engine");
    }
    if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw new IllegalStateException("simulated accelerator fault");
    }
    return delegate.infer(inputs);
  }
}
