package dev.captcha.server.testsupport;

import dev.captcha.server.batch.DelayScheduler;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link DelayScheduler} that keeps its tasks and their delays for the test to run by hand; a
 * cancelled task leaves the list. Not thread-safe.
 */
public final class RecordingScheduler implements DelayScheduler {
  /** The tasks scheduled and not yet run or cancelled, in order. */
  public final List<Runnable> scheduled = new ArrayList<>();

  /** The delay of every task ever scheduled, in nanoseconds. */
  public final List<Long> delays = new ArrayList<>();

  @Override
  public Cancellable schedule(Runnable task, long delayNanos) {
    scheduled.add(task);
    delays.add(delayNanos);
    return () -> scheduled.remove(task);
  }

  /** Runs the first task waiting. */
  public void runNext() {
    scheduled.remove(0).run();
  }
}
