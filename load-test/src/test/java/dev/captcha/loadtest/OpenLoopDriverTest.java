package dev.captcha.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.captcha.api.v1.SolveRequest;
import dev.captcha.api.v1.SolveResponse;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class OpenLoopDriverTest {

  private static final long MS = 1_000_000L;
  private static final long S = 1_000_000_000L;
  private static final long T0 = 1_000 * S;

  private final FakeTicker ticker = new FakeTicker(T0);
  private final Workload workload =
      new Workload(
          List.of(new Workload.Item("ab12", SolveRequest.getDefaultInstance())), "one image");

  /** A simulated server: answers after a fixed service time, but not before a stall ends. */
  private final class FakeServer implements RequestIssuer {
    final Measurements m;
    final long serviceNanos;
    long stallFrom = Long.MAX_VALUE;
    long stallUntil = Long.MIN_VALUE;
    final List<Long> sendTimes = new ArrayList<>();
    final List<Long> intended = new ArrayList<>();

    FakeServer(Measurements m, long serviceNanos) {
      this.m = m;
      this.serviceNanos = serviceNanos;
    }

    @Override
    public void issue(long intendedNanos, Runnable done) {
      long now = ticker.nanoTime();
      sendTimes.add(now);
      intended.add(intendedNanos);
      long start = now >= stallFrom && now < stallUntil ? stallUntil : now;
      ticker.schedule(
          start + serviceNanos,
          () -> {
            m.recordSuccess(
                intendedNanos, "ab12", SolveResponse.newBuilder().setText("ab12").build());
            done.run();
          });
    }
  }

  private Histogram runAndCollect(Measurements m) {
    ticker.drain();
    m.sampleMeasured(ticker.nanoTime());
    return m.okLatency();
  }

  @Test
  void constantArrivalsSendEveryScheduledRequestAtItsTime() throws Exception {
    Measurements m = new Measurements(ticker, T0);
    FakeServer server = new FakeServer(m, 2 * MS);
    long sent =
        new OpenLoopDriver(ticker, server, new InFlight(), 1000)
            .run(Arrivals.CONSTANT.schedule(100, 1), T0, T0 + 2 * S);

    assertEquals(200, sent);
    for (int i = 0; i < 200; i++) {
      assertEquals(T0 + i * 10 * MS, server.intended.get(i));
      assertEquals(T0 + i * 10 * MS, server.sendTimes.get(i));
    }
    Histogram h = runAndCollect(m);
    assertEquals(200, h.getTotalCount());
    assertEquals(2 * MS, h.getMaxValue(), 2 * MS / 100.0);
  }

  @Test
  void aServerStallShowsUpInEveryRequestScheduledDuringIt() throws Exception {
    Measurements m = new Measurements(ticker, T0);
    FakeServer server = new FakeServer(m, 1 * MS);
    server.stallFrom = T0 + 2 * S;
    server.stallUntil = T0 + 3 * S; // one second of no answers
    new OpenLoopDriver(ticker, server, new InFlight(), 10_000)
        .run(Arrivals.CONSTANT.schedule(100, 1), T0, T0 + 10 * S);
    Histogram h = runAndCollect(m);

    assertEquals(1000, h.getTotalCount());
    // The 100 requests scheduled during the stall waited from their schedule to its end:
    // latencies spread evenly from ~1 s down to ~10 ms, so about 50 exceed half a second.
    long over500ms = h.getTotalCount() - h.getCountBetweenValues(0, 500 * MS);
    assertTrue(over500ms >= 49 && over500ms <= 51, "requests over 500 ms: " + over500ms);
    assertEquals(1001 * MS, h.getMaxValue(), 10 * MS);
    // p90 stays at the service time: 90% of requests never met the stall...
    assertEquals(1 * MS, h.getValueAtPercentile(90), MS / 100.0);
    // ...but p99 carries it (a closed loop timing from the send would have shown one slow call).
    assertTrue(h.getValueAtPercentile(99) > 900 * MS, "p99 " + h.getValueAtPercentile(99));
  }

  @Test
  void aStalledSenderStillTimesLateRequestsFromTheirSchedule() throws Exception {
    Measurements m = new Measurements(ticker, T0);
    FakeServer server = new FakeServer(m, 1 * MS);
    RequestIssuer stallingSender =
        new RequestIssuer() {
          int calls;

          @Override
          public void issue(long intendedNanos, Runnable done) {
            server.issue(intendedNanos, done);
            if (++calls == 100) {
              ticker.advanceTo(ticker.nanoTime() + S); // the sending thread is held up for 1 s
            }
          }
        };
    long sent =
        new OpenLoopDriver(ticker, stallingSender, new InFlight(), 10_000)
            .run(Arrivals.CONSTANT.schedule(100, 1), T0, T0 + 5 * S);
    Histogram h = runAndCollect(m);

    assertEquals(500, sent, "no request is skipped by a late sender");
    assertEquals(500, h.getTotalCount());
    // Requests 100..199 should have gone out during the stall; all leave at its end.
    assertEquals(T0 + 100 * 10 * MS - 10 * MS + S, server.sendTimes.get(100), MS);
    long over500ms = h.getTotalCount() - h.getCountBetweenValues(0, 500 * MS);
    assertTrue(over500ms >= 49 && over500ms <= 51, "requests over 500 ms: " + over500ms);
  }

  @Test
  void theInFlightCapDelaysSendsAndTheDelayCountsInLatency() throws Exception {
    Measurements m = new Measurements(ticker, T0);
    FakeServer server = new FakeServer(m, 20 * MS); // capacity 50/s with one in flight
    long sent =
        new OpenLoopDriver(ticker, server, new InFlight(), 1)
            .run(Arrivals.CONSTANT.schedule(100, 1), T0, T0 + S);
    Histogram h = runAndCollect(m);

    assertEquals(100, sent);
    // Offered 100/s to a 50/s system: the queue grows, the last request waits about 1 s more.
    assertTrue(h.getMaxValue() > 950 * MS, "max " + h.getMaxValue());
    for (int i = 1; i < 100; i++) {
      assertTrue(server.sendTimes.get(i) - server.sendTimes.get(i - 1) >= 20 * MS - 200_000);
    }
  }

  @Test
  void warmupRequestsAreExcludedByTheirScheduledTime() throws Exception {
    Measurements m = new Measurements(ticker, T0 + S);
    FakeServer server = new FakeServer(m, 5 * MS);
    new OpenLoopDriver(ticker, server, new InFlight(), 1000)
        .run(Arrivals.CONSTANT.schedule(50, 1), T0, T0 + 3 * S);
    Histogram h = runAndCollect(m);

    assertEquals(100, h.getTotalCount(), "only the 2 s after the 1 s warm-up count");
  }
}
