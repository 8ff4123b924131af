package dev.captcha.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.function.DoubleFunction;
import org.junit.jupiter.api.Test;

class KneeSearchTest {

  /** A run that achieved {@code throughput} with the given p99 and errors. */
  static RunResult result(double throughput, double p99Ms, long failed) {
    long ok = Math.max(1, (long) throughput * 10);
    LatencySummary l =
        new LatencySummary(ok, p99Ms / 2, p99Ms / 3, p99Ms / 2, p99Ms, p99Ms * 1.5, p99Ms * 2);
    Map<String, Long> errors = failed == 0 ? Map.of() : Map.of("UNAVAILABLE", failed);
    ServerSide server =
        new ServerSide(
            LatencySummary.EMPTY, LatencySummary.EMPTY, LatencySummary.EMPTY, new TreeMap<>(), 0);
    return new RunResult(
        "fake",
        "unary",
        "open",
        throughput,
        null,
        "constant",
        0,
        10,
        ok + failed,
        ok,
        failed,
        10,
        throughput,
        throughput,
        l,
        LatencySummary.EMPTY,
        errors,
        new Accuracy(0, 0, 0, 0),
        server,
        List.of(),
        null,
        "");
  }

  /** Runs the search against a simulated system; returns the values tried in order. */
  static List<Double> drive(KneeSearch search, DoubleFunction<RunResult> system) {
    List<Double> tried = new ArrayList<>();
    OptionalDouble next;
    while ((next = search.next()).isPresent()) {
      tried.add(next.getAsDouble());
      search.record(next.getAsDouble(), system.apply(next.getAsDouble()));
    }
    return tried;
  }

  /** Serves up to 730 req/s with p99 10 ms; beyond that the queue grows and p99 explodes. */
  static RunResult system730(double rate) {
    return rate <= 730 ? result(rate, 10, 0) : result(730, 900, 0);
  }

  @Test
  void triesTheSeriesUntilAFailureThenBisects() {
    KneeSearch search = new KneeSearch(List.of(800.0, 200.0, 400.0, 1600.0), false, 100, 0, 3);
    List<Double> tried = drive(search, KneeSearchTest::system730);

    assertEquals(
        List.of(200.0, 400.0, 800.0, 600.0, 700.0, 750.0),
        tried,
        "sorted series stops at the first miss (1600 never tried), then 3 bisections");
    assertTrue(search.bracketed());
    assertEquals(700.0, search.knee().orElseThrow().parameter());
    assertEquals(700.0, search.knee().orElseThrow().result().throughputRps());
  }

  @Test
  void kneeIsTheHighestPassingThroughputNotTheHighestParameter() {
    // Beyond 500 the system thrashes: throughput falls while p99 still passes.
    KneeSearch search = new KneeSearch(List.of(100.0, 500.0, 900.0, 2000.0), false, 100, 0, 0);
    drive(
        search,
        r -> r <= 500 ? result(r, 5, 0) : r < 2000 ? result(300, 50, 0) : result(100, 500, 0));
    assertEquals(500.0, search.knee().orElseThrow().parameter());
  }

  @Test
  void errorsBeyondTheAllowedShareFailAStep() {
    KneeSearch search = new KneeSearch(List.of(1.0, 2.0, 4.0), true, 100, 0.01, 0);
    drive(search, c -> result(c * 100, 5, c >= 4 ? 50 : 0));
    assertEquals(2.0, search.knee().orElseThrow().parameter());
    assertFalse(search.steps().get(2).passed());
  }

  @Test
  void concurrencyBisectionStaysOnWholeNumbersAndStopsWhenAdjacent() {
    KneeSearch search = new KneeSearch(List.of(1.0, 4.0, 16.0), true, 100, 0, 10);
    List<Double> tried = drive(search, c -> c <= 9 ? result(c * 10, 20, 0) : result(90, 300, 0));
    assertEquals(List.of(1.0, 4.0, 16.0, 10.0, 7.0, 8.0, 9.0), tried);
    assertEquals(9.0, search.knee().orElseThrow().parameter());
  }

  @Test
  void noKneeWhenNothingPassesAndUnbracketedWhenEverythingPasses() {
    KneeSearch failing = new KneeSearch(List.of(100.0, 200.0), false, 10, 0, 2);
    List<Double> tried = drive(failing, r -> result(r, 50, 0));
    assertEquals(List.of(100.0, 50.0, 25.0), tried, "bisects below the first value");
    assertTrue(failing.knee().isEmpty());

    KneeSearch passing = new KneeSearch(List.of(100.0, 200.0), false, 10, 0, 2);
    assertEquals(List.of(100.0, 200.0), drive(passing, r -> result(r, 1, 0)));
    assertFalse(passing.bracketed());
    assertEquals(200.0, passing.knee().orElseThrow().parameter());
  }

  @Test
  void parsesListsAndRanges() {
    assertEquals(List.of(100.0, 250.0), KneeSearch.parseSeries("100, 250"));
    assertEquals(List.of(100.0, 200.0, 300.0, 1000.0), KneeSearch.parseSeries("100:300:100,1000"));
    assertThrows(IllegalArgumentException.class, () -> KneeSearch.parseSeries("abc"));
    assertThrows(IllegalArgumentException.class, () -> KneeSearch.parseSeries("10:1:1"));
    assertThrows(IllegalArgumentException.class, () -> KneeSearch.parseSeries(" , "));
    assertThrows(
        IllegalArgumentException.class, () -> new KneeSearch(List.of(1.5), true, 10, 0, 0));
    assertThrows(
        IllegalArgumentException.class, () -> new KneeSearch(List.of(-1.0), false, 10, 0, 0));
  }
}
