package dev.captcha.server.bench;

import dev.captcha.server.batch.BatchEngine;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * An engine that behaves like an accelerator: a batch of b items takes {@code fixed + b * perItem}
 * of wall time during which the calling thread mostly sleeps. Returns its inputs.
 */
final class SimulatedAccelerator<T> implements BatchEngine<T, T> {
  private static final long SPIN_NANOS = 80_000;
  private final long fixedNanos;
  private final long perItemNanos;
  long batches;
  long items;

  SimulatedAccelerator(long fixedNanos, long perItemNanos) {
    this.fixedNanos = fixedNanos;
    this.perItemNanos = perItemNanos;
  }

  @Override
  public List<T> infer(List<T> inputs) {
    long end = System.nanoTime() + fixedNanos + perItemNanos * inputs.size();
    long left;
    while ((left = end - System.nanoTime()) > SPIN_NANOS) {
      LockSupport.parkNanos(left - SPIN_NANOS);
    }
    while (System.nanoTime() < end) {
      Thread.onSpinWait();
    }
    batches++;
    items += inputs.size();
    return inputs;
  }
}
