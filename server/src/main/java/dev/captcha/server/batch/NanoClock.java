package dev.captcha.server.batch;

/** A monotonic time source in nanoseconds; implementations are thread-safe. */
@FunctionalInterface
public interface NanoClock {

  /** The system's monotonic clock. */
  NanoClock SYSTEM = System::nanoTime;

  /** The current time in nanoseconds, comparable only with other readings of the same clock. */
  long nanoTime();
}
