package dev.captcha.server.metrics;

import dev.captcha.server.batch.BatchEngine;
import dev.captcha.server.batch.NanoClock;
import java.util.List;
import java.util.Objects;

/**
 * A {@link BatchEngine} decorator that records each batch's size and wall time in {@link
 * ServerMetrics}; as thread-safe as the engine it wraps.
 *
 * @param <I> the prepared input of one request
 * @param <O> the output for one request
 */
public final class MeteredEngine<I, O> implements BatchEngine<I, O> {
  private final BatchEngine<I, O> delegate;
  private final ServerMetrics metrics;
  private final NanoClock clock;

  /** Wraps {@code delegate}, timing it with {@code clock}. */
  public MeteredEngine(BatchEngine<I, O> delegate, ServerMetrics metrics, NanoClock clock) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public List<O> infer(List<I> inputs) throws Exception {
    long start = clock.nanoTime();
    boolean failed = true;
    try {
      List<O> outputs = delegate.infer(inputs);
      failed = false;
      return outputs;
    } finally {
      metrics.recordBatch(inputs.size(), clock.nanoTime() - start, failed);
    }
  }
}
