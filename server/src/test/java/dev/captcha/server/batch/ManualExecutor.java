package dev.captcha.server.batch;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/** An executor whose tasks run only when the test says so. Single-threaded. */
final class ManualExecutor implements Executor {
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

  @Override
  public void execute(Runnable command) {
    tasks.add(command);
  }

  int pending() {
    return tasks.size();
  }

  /** Runs the oldest task. */
  void runNext() {
    Runnable r = tasks.poll();
    if (r == null) {
      throw new AssertionError("no task to run");
    }
    r.run();
  }

  /** Runs tasks, including ones they submit, until none is left. */
  void runAll() {
    while (!tasks.isEmpty()) {
      runNext();
    }
  }
}
