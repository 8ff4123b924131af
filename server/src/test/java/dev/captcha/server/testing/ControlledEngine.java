package dev.captcha.server.testing;

import dev.captcha.server.batch.BatchEngine;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps an engine so a test can hold batches at the door, make the next batch fail, and count the
 * items that reached inference. Thread-safe.
 */
public final class ControlledEngine<I, O> implements BatchEngine<I, O> {
  private final BatchEngine<I, O> delegate;
  private volatile CountDownLatch gate = new CountDownLatch(0);
  private final Semaphore entered = new Semaphore(0);
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicInteger items = new AtomicInteger();

  public ControlledEngine(BatchEngine<I, O> delegate) {
    this.delegate = delegate;
  }

  /** Holds every batch until {@link #release}. */
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

  /** Items that reached inference so far. */
  public int items() {
    return items.get();
  }

  @Override
  public List<O> infer(List<I> inputs) throws Exception {
    items.addAndGet(inputs.size());
    entered.release();
    if (!gate.await(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("test never released the engine");
    }
    if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw new IllegalStateException("simulated accelerator fault");
    }
    return delegate.infer(inputs);
  }
}
