package dev.captcha.server.batch;

import dev.captcha.server.testsupport.ManualClock;
import java.util.ArrayList;
import java.util.List;

/**
 * An engine that upper-cases its inputs, records every batch, optionally fails, and optionally
 * spends fake time {@code fixed + size * perItem} per batch.
 */
final class FakeEngine implements BatchEngine<String, String> {
  final List<List<String>> batches = new ArrayList<>();
  private final ManualClock time;
  long fixedNanos;
  long perItemNanos;
  RuntimeException failWith;
  boolean wrongCount;

  FakeEngine(ManualClock time) {
    this.time = time;
  }

  @Override
  public List<String> infer(List<String> inputs) {
    batches.add(List.copyOf(inputs));
    time.elapse(fixedNanos + perItemNanos * inputs.size());
    if (failWith != null) {
      throw failWith;
    }
    List<String> out = new ArrayList<>();
    for (String s : inputs) {
      out.add(s.toUpperCase(java.util.Locale.ROOT));
    }
    if (wrongCount) {
      out.remove(0);
    }
    return out;
  }

  List<Integer> sizes() {
    return batches.stream().map(List::size).toList();
  }

  List<String> seen() {
    return batches.stream().flatMap(List::stream).toList();
  }
}
