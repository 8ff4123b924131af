package dev.captcha.client;

import java.util.HashMap;
import java.util.Map;

/** Hands outcomes on in input order, holding early ones back; used serially by one batch. */
final class ReorderingSink implements StreamBatch.Sink {
  private final StreamBatch.Sink downstream;
  private final Map<Integer, SolveOutcome> early = new HashMap<>();
  private int nextIndex;

  ReorderingSink(StreamBatch.Sink downstream) {
    this.downstream = downstream;
  }

  @Override
  public void accept(SolveOutcome outcome) {
    early.put(outcome.index(), outcome);
    SolveOutcome o;
    while ((o = early.remove(nextIndex)) != null) {
      nextIndex++;
      downstream.accept(o);
    }
  }

  @Override
  public void complete(BatchSummary summary) {
    if (!early.isEmpty()) {
      downstream.fail(
          new IllegalStateException("batch ended with outcomes missing before index " + nextIndex));
      return;
    }
    downstream.complete(summary);
  }

  @Override
  public void fail(RuntimeException error) {
    downstream.fail(error);
  }
}
