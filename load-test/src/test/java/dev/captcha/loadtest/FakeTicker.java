package dev.captcha.loadtest;

import java.util.PriorityQueue;

/**
 * A simulated clock for single-threaded tests: time moves only when the code under test sleeps or a
 * test advances it, and events scheduled on it run when their time is passed.
 */
final class FakeTicker implements Ticker {

  private record Event(long at, long order, Runnable action) {}

  private final PriorityQueue<Event> events =
      new PriorityQueue<>(
          (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
  private long now;
  private long order;

  FakeTicker(long start) {
    this.now = start;
  }

  @Override
  public long nanoTime() {
    return now;
  }

  @Override
  public void sleepUntil(long deadlineNanos) {
    advanceTo(deadlineNanos);
  }

  /** Moves time forward to {@code t}, running every event due by then in time order. */
  void advanceTo(long t) {
    while (!events.isEmpty() && events.peek().at - t <= 0) {
      Event e = events.poll();
      now = Math.max(now, e.at);
      e.action.run();
    }
    now = Math.max(now, t);
  }

  /** Runs {@code action} when time reaches {@code at}. */
  void schedule(long at, Runnable action) {
    events.add(new Event(at, order++, action));
  }

  /** Runs every pending event. */
  void drain() {
    while (!events.isEmpty()) {
      advanceTo(events.peek().at);
    }
  }
}
