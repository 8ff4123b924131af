package dev.captcha.server.testsupport;

import dev.captcha.server.batch.BatchEngine;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps an engine so a test can hold batches at the door, make batches fail, and count the items
 * that reached inference; waits are generous so slow, shared machines do not fail tests.
 * Thread-safe.
 */
public final class HeldEngine<I, O> implements BatchEngine<I, O> {
  private static final long PATIENCE_SECONDS = 120;

  private final BatchEngine<I, O> delegate;
  private volatile CountDownLatch gate = new CountDownLatch(0);
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicInteger items = new AtomicInteger();
  private final AtomicInteger batches = new AtomicInteger();

  public HeldEngine(BatchEngine<I, O> delegate) {
    this.delegate = delegate;
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

  /** Items that reached inference so far. */
  public int items() {
    return items.get();
  }

  /** Batches that reached inference so far. */
  public int batches() {
    return batches.get();
  }

  /** Waits until more than {@code seen} batches have reached the engine. */
  public void awaitBatchesAbove(int seen) throws InterruptedException {
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE_SECONDS);
    while (batches.get() <= seen) {
      if (System.nanoTime() > giveUp) {
        throw new AssertionError("no batch reached the engine");
      }
      Thread.sleep(2);
    }
  }

  @Override
  public List<O> infer(List<I> inputs) throws Exception {
    items.addAndGet(inputs.size());
    batches.incrementAndGet();
    if (!gate.await(PATIENCE_SECONDS, TimeUnit.SECONDS)) {
      throw new IllegalStateException("test never released the engine");
    }
    if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw new IllegalStateException("simulated accelerator fault");
    }
    return delegate.infer(inputs);
  }
}
