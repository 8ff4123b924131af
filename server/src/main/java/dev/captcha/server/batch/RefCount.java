package dev.captcha.server.batch;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A reference count that starts at one, the owner's, and runs an action once when it drops to zero;
 * from then on no reference can be taken. Used for what must outlive its last user: a model
 * replaced while batches still run on it, a model slot retired while requests are in flight.
 * Thread-safe.
 */
public final class RefCount {
  private final String what;
  private final Runnable onZero;
  // The owner's reference (1) plus the users; 0 means the action has run.
  private final AtomicInteger count = new AtomicInteger(1);

  /**
   * @param what what is counted, for the error on a release without an acquire ("model a")
   * @param onZero run once, on the thread of the last release
   */
  public RefCount(String what, Runnable onZero) {
    this.what = Objects.requireNonNull(what, "what");
    this.onZero = Objects.requireNonNull(onZero, "onZero");
  }

  /** Takes a reference; false once the count has reached zero. */
  public boolean tryAcquire() {
    while (true) {
      int n = count.get();
      if (n == 0) {
        return false;
      }
      if (count.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /**
   * Gives back a reference; the last one runs the action.
   *
   * @throws IllegalStateException on more releases than references
   */
  public void release() {
    int left = count.decrementAndGet();
    if (left == 0) {
      onZero.run();
    } else if (left < 0) {
      throw new IllegalStateException(what + " released more often than acquired");
    }
  }

  /** The references held now (0: the action has run). */
  public int count() {
    return Math.max(0, count.get());
  }
}
